import { InvalidOptionsError } from "../../errors/InvalidOptionsError.js";
import type { Backoff, BackoffBuilder, BackoffName, BackoffSettings, BackoffStrategy } from "./Backoff.js";
import { constantBackoff } from "./constantBackoff.js";
import { decorrelatedJitterBackoff } from "./decorrelatedJitterBackoff.js";
import { exponentialBackoff } from "./exponentialBackoff.js";
import { fullJitterBackoff } from "./fullJitterBackoff.js";

/** The builder each name in the `backoff` option stands for. */
const BUILDERS: Readonly<Record<BackoffName, BackoffBuilder>> = Object.freeze({
  decorrelated: decorrelatedJitterBackoff,
  full: fullJitterBackoff,
  exponential: exponentialBackoff,
  constant: constantBackoff,
});

/**
 * Returns the first step (for retry 1) of a backoff strategy.
 * @param strategy - A builder or the name of a built-in one.
 * @param settings - Base, cap and random source.
 * @throws InvalidOptionsError - When a builder does not return a backoff step (e.g. a bare
 *   per-retry function that returns a number, which must be wrapped in `customBackoff`).
 */
export function createBackoff(strategy: BackoffStrategy, settings: BackoffSettings): Backoff {
  const build = typeof strategy === "function" ? strategy : BUILDERS[strategy];
  const first: unknown = build(settings);
  if (!isBackoff(first)) {
    throw new InvalidOptionsError(
      `backoff must be a backoff builder such as exponentialBackoff or customBackoff(fn), or one of ${Object.keys(BUILDERS)
        .map((name) => `"${name}"`)
        .join(", ")}; the function given returned ${typeof first === "number" ? "a number (wrap it: customBackoff(fn))" : typeof first}`,
    );
  }
  return first;
}

function isBackoff(value: unknown): value is Backoff {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Backoff).delayMs === "number" &&
    typeof (value as Backoff).next === "function"
  );
}
