import type { BackoffBuilder, BackoffFunction } from "./Backoff.js";
import { functionBackoff } from "./functionBackoff.js";

/**
 * A backoff strategy from a function that gives the delay for each retry, for the `backoff`
 * option: `backoff: customBackoff(({ retry }) => retry * 250)`. Results are clamped to
 * `[0, capMs]`; a result that is not a number counts as `capMs`.
 * @param fn - Returns the delay in milliseconds before one retry.
 */
export function customBackoff(fn: BackoffFunction): BackoffBuilder {
  return (settings) => functionBackoff(fn, settings);
}
