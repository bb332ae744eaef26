import type { Backoff, BackoffSettings, BackoffStrategy } from "./Backoff.js";
import { constantBackoff } from "./constantBackoff.js";
import { decorrelatedJitterBackoff } from "./decorrelatedJitterBackoff.js";
import { exponentialBackoff } from "./exponentialBackoff.js";
import { fullJitterBackoff } from "./fullJitterBackoff.js";
import { functionBackoff } from "./functionBackoff.js";

/**
 * Returns the first step (for retry 1) of a backoff strategy.
 * @param strategy - A strategy name or a custom function.
 * @param settings - Base, cap and random source.
 */
export function createBackoff(strategy: BackoffStrategy, settings: BackoffSettings): Backoff {
  if (typeof strategy === "function") return functionBackoff(strategy, settings);
  switch (strategy) {
    case "decorrelated":
      return decorrelatedJitterBackoff(settings);
    case "full":
      return fullJitterBackoff(settings);
    case "exponential":
      return exponentialBackoff(settings);
    case "constant":
      return constantBackoff(settings);
  }
}
