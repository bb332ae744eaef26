/** The numbers a counter works with at a given moment (they may change at run time). */
export interface LimitShape {
  /** Requests per window (token bucket: refilled per window). */
  readonly limit: number;
  /** The window in milliseconds (already scaled). */
  readonly windowMs: number;
  /** Token bucket capacity; the other algorithms ignore it. */
  readonly burst: number;
}

/**
 * One rate-limit counter (of one tenant or app), whatever its algorithm. Times are milliseconds on
 * one monotonic clock; every call passes a time no earlier than the previous call's.
 */
export interface LimitCounter {
  /** Milliseconds until one more request fits at `now` (0 when it fits now). */
  waitMs(now: number): number;
  /** Counts one request at `now` (an admitted one, or a refused or faulted one the limit counts). */
  record(now: number): void;
  /** How much of the quota is in use at `now` (may exceed `quota()` when refused requests count). */
  used(now: number): number;
  /** The quota `used` is measured against: the limit, or a token bucket's capacity. */
  quota(): number;
  /** Milliseconds until the full quota is back, if nothing more arrives. */
  resetMs(now: number): number;
  /** The time from which the counter holds nothing (so it can be dropped); `-Infinity` when empty. */
  idleAt(): number;
  /** Applies a new shape from now on (a schedule phase or `setLimits`), keeping what was counted. */
  reshape(shape: LimitShape): void;
}
