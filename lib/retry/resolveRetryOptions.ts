import { aFunction, arrayOf, httpStatus, numberWhere, valueWhere } from "../chain/optionRules.js";
import { aLogger } from "../chain/logger.js";
import { optionSchema, resolveOptions } from "../chain/resolveOptions.js";
import type { BackoffStrategy } from "./backoff/Backoff.js";
import { DEFAULT_RETRY_OPTIONS, type ResilientRetryOptions } from "./ResilientRetryOptions.js";

const BACKOFF_NAMES = ["decorrelated", "full", "exponential", "constant"];

/** How retry options are checked and defaulted. */
export const RETRY_OPTIONS = optionSchema<ResilientRetryOptions>()({
  name: "retry options",
  defaults: DEFAULT_RETRY_OPTIONS,
  rules: {
    maxRetries: numberWhere((n) => n >= 0 && (Number.isInteger(n) || n === Infinity), "a whole number >= 0 or Infinity"),
    retryStatuses: arrayOf(httpStatus, "an array of HTTP status codes (100-599)"),
    backoff: valueWhere<BackoffStrategy>(
      (value) => typeof value === "function" || BACKOFF_NAMES.includes(value as string),
      `one of ${BACKOFF_NAMES.map((n) => `"${n}"`).join(", ")} or a function`,
    ),
    baseDelayMs: numberWhere((n) => n >= 0 && Number.isFinite(n), "a finite number >= 0"),
    maxDelayMs: numberWhere((n) => n >= 0, "a number >= 0"),
    maxRetryAfterMs: numberWhere((n) => n >= 0, "a number >= 0 or Infinity"),
    attemptTimeoutMs: numberWhere((n) => n > 0, "a number > 0 or Infinity"),
    deadlineMs: numberWhere((n) => n > 0, "a number > 0 or Infinity"),
    maxResponseBytes: numberWhere((n) => n >= 1 && (Number.isInteger(n) || n === Infinity), "a whole number >= 1 or Infinity"),
    random: valueWhere<() => number>((value) => typeof value === "function", "a function returning numbers in [0, 1)"),
    shouldRetry: aFunction,
    onRetry: aFunction,
    onGiveUp: aFunction,
    logger: aLogger,
  },
  refine: ({ baseDelayMs, maxDelayMs }, report) => {
    if (typeof maxDelayMs === "number" && typeof baseDelayMs === "number" && maxDelayMs < baseDelayMs) report("maxDelayMs", `must not be less than baseDelayMs (${baseDelayMs}), got ${maxDelayMs}`);
  },
});

/**
 * Merges option overrides onto a base and validates the result: the one place where retry
 * options are defaulted and checked (through the shared `resolveOptions`).
 * @param base - Complete options to start from (the handler's, or the defaults).
 * @param overrides - Fields to replace; `undefined` fields keep the base value.
 * @throws InvalidOptionsError - Listing every problem: unknown keys (with a suggestion), negative or
 *   non-integer counts, a cap below the base...
 */
export function resolveRetryOptions(
  base: Readonly<ResilientRetryOptions> = DEFAULT_RETRY_OPTIONS,
  overrides: Partial<ResilientRetryOptions> = {},
): Readonly<ResilientRetryOptions> {
  const options = resolveOptions(RETRY_OPTIONS, overrides, base) as ResilientRetryOptions;
  return Object.freeze({
    ...options,
    shouldRetry: options.shouldRetry,
    onRetry: options.onRetry,
    onGiveUp: options.onGiveUp,
    logger: options.logger,
    retryStatuses: Object.freeze([...options.retryStatuses]),
  });
}
