/**
 * Floors: the shortest time a server limit allows for the requests it counted. Times are in ms
 * (any unit works, as long as every argument uses it); the first request goes at time 0, so a
 * floor is the time of the last admission.
 */
/**
 * Sliding window (at most `limit` in any span of `windowMs`): `limit` at once, then `limit` more
 * every window.
 * @param count - Requests the server counted.
 * @param limit - Requests per window.
 * @param windowMs - Window length.
 */
export function slidingWindowFloorMs(count: number, limit: number, windowMs: number): number {
  return (Math.ceil(count / limit) - 1) * windowMs;
}

/**
 * Fixed window aligned to multiples of `windowMs`: a run that starts `phaseMs` into a window gets
 * `limit` before the first boundary, so it saves `phaseMs` on the sliding floor.
 * @param count - Requests the server counted.
 * @param limit - Requests per window.
 * @param windowMs - Window length.
 * @param phaseMs - How far into its fixed window the run started (0 ≤ phaseMs < windowMs).
 */
export function fixedWindowFloorMs(count: number, limit: number, windowMs: number, phaseMs: number): number {
  return Math.max(0, slidingWindowFloorMs(count, limit, windowMs) - phaseMs);
}

/**
 * Token bucket that starts full: `burst` at once, then one per `windowMs / limit`.
 * @param count - Requests the server counted.
 * @param limit - Tokens refilled per window.
 * @param windowMs - Refill window.
 * @param burst - Capacity.
 */
export function tokenBucketFloorMs(count: number, limit: number, windowMs: number, burst: number): number {
  return Math.max(0, ((count - burst) * windowMs) / limit);
}

/**
 * Concurrency limit: `concurrency` requests at a time, each held for the mean latency.
 * @param count - Requests the server counted.
 * @param concurrency - Requests in flight allowed.
 * @param meanLatencyMs - Mean time a request holds its place.
 */
export function concurrencyFloorMs(count: number, concurrency: number, meanLatencyMs: number): number {
  return (count * meanLatencyMs) / concurrency;
}

/** A span in which a limit differs from its base value: `[fromMs, untilMs)`. */
export interface LimitPhase {
  readonly fromMs: number;
  readonly untilMs: number;
  readonly limit: number;
}

/**
 * Sliding window whose limit changes over time (a lowered limit leaves what was counted in the
 * window): simulates a greedy sender that takes every admission as early as the server allows.
 * @param count - Requests the server counted.
 * @param base - The limit outside every phase.
 * @param windowMs - Window length.
 * @param phases - Spans with another limit (a later one wins where they overlap).
 */
export function scheduledSlidingFloorMs(count: number, base: number, windowMs: number, phases: readonly LimitPhase[]): number {
  const limitAt = (t: number): number =>
    phases.reduce((limit, phase) => (t >= phase.fromMs && t < phase.untilMs ? phase.limit : limit), base);
  const changes = phases.flatMap((phase) => [phase.fromMs, phase.untilMs]);
  const admitted: number[] = [];
  let oldest = 0; // Index of the oldest admission still in the window at `t`.
  let t = 0;
  while (admitted.length < count) {
    while (oldest < admitted.length && (admitted[oldest] ?? 0) + windowMs <= t) oldest++;
    if (admitted.length - oldest < limitAt(t)) {
      admitted.push(t);
      continue;
    }
    // Nothing fits now: the next chance is when the oldest leaves the window or the limit changes.
    const expiry = (admitted[oldest] ?? t) + windowMs;
    t = Math.min(expiry, ...changes.filter((change) => change > t));
  }
  return admitted.at(-1) ?? 0;
}
