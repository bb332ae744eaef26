/**
 * Recovery after a limit change, read from when the server applied each update. Times are in ms
 * (any unit works, as long as every argument uses it).
 */

/**
 * Counts the times that fall in each of `bins` consecutive bins of `binMs` from `fromMs`.
 * @param times - Event times.
 * @param fromMs - Start of the first bin.
 * @param binMs - Bin length.
 * @param bins - How many bins.
 */
export function binCounts(times: readonly number[], fromMs: number, binMs: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const time of times) {
    const bin = Math.floor((time - fromMs) / binMs);
    if (bin >= 0 && bin < bins) counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}

/**
 * How many bins pass until one satisfies `reached` (1 when the first does), or `undefined` when none does.
 * @param counts - Per-bin counts, as {@link binCounts} gives.
 * @param reached - Whether a bin's count is good enough.
 */
export function binsUntil(counts: readonly number[], reached: (count: number) => boolean): number | undefined {
  const index = counts.findIndex(reached);
  return index < 0 ? undefined : index + 1;
}

/**
 * Whether `value` is within `tolerance` (a share, e.g. 0.1) of `target`.
 * @param value - The measured value.
 * @param target - The value aimed at.
 * @param tolerance - Allowed relative deviation.
 */
export function within(value: number, target: number, tolerance: number): boolean {
  return Math.abs(value - target) <= tolerance * target;
}
