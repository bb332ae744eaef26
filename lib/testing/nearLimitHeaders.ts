import type { LimitCounter } from "./limitCounter.js";
import type { ResolvedEmulatorLimit } from "./options.js";

/** A counter that just counted a request, with the settings of its limit. */
export interface CountedLimit {
  /** The limit's settings. */
  readonly spec: ResolvedEmulatorLimit;
  /** The counter of the request's tenant (or app). */
  readonly counter: LimitCounter;
}

// A token bucket's fractional tokens: within this of a whole token counts as that token.
const EPSILON = 1e-9;

/**
 * The near-limit headers for a normal answer: for each kind, those of the most used limit that sends
 * it and has reached its threshold. `RateLimit-Reset` is whole seconds (rounded up) until the full
 * quota is back; `x-ms-throttle-limit-percentage` is the share used, to 2 decimals.
 * @param counted - The limits that counted the request (after counting it).
 * @param now - The time of the request.
 * @returns The headers, or `undefined` when none is due.
 */
export function nearLimitHeaders(counted: readonly CountedLimit[], now: number): Record<string, string> | undefined {
  let headers: Record<string, string> | undefined;
  let rateLimitShare = -Infinity;
  let percentageShare = -Infinity;
  for (const { spec, counter } of counted) {
    const wanted = spec.nearLimitHeaders;
    if (!wanted.rateLimit && !wanted.throttleLimitPercentage) continue;
    const quota = counter.quota();
    const used = counter.used(now);
    const share = used / quota;
    if (share < wanted.threshold) continue;
    headers ??= {};
    if (wanted.rateLimit && share > rateLimitShare) {
      rateLimitShare = share;
      headers["RateLimit-Limit"] = String(quota);
      headers["RateLimit-Remaining"] = String(Math.max(0, Math.floor(quota - used + EPSILON)));
      headers["RateLimit-Reset"] = String(Math.ceil(counter.resetMs(now) / 1000));
    }
    if (wanted.throttleLimitPercentage && share > percentageShare) {
      percentageShare = share;
      headers["x-ms-throttle-limit-percentage"] = String(Math.round(share * 100) / 100);
    }
  }
  return headers;
}
