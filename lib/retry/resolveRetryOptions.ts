import { closest } from "fastest-levenshtein";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { DEFAULT_RETRY_OPTIONS, type ResilientRetryOptions } from "./ResilientRetryOptions.js";

const KEYS = Object.keys(DEFAULT_RETRY_OPTIONS) as (keyof ResilientRetryOptions)[];
const BACKOFF_NAMES = ["decorrelated", "full", "exponential", "constant"];

/**
 * Merges option overrides onto a base and validates the result: the one place where retry
 * options are defaulted and checked.
 * @param base - Complete options to start from (the handler's, or the defaults).
 * @param overrides - Fields to replace; `undefined` fields keep the base value.
 * @throws InvalidOptionsError - For an unknown key, a negative or non-integer count, a cap below the base...
 */
export function resolveRetryOptions(
  base: Readonly<ResilientRetryOptions> = DEFAULT_RETRY_OPTIONS,
  overrides: Partial<ResilientRetryOptions> = {},
): Readonly<ResilientRetryOptions> {
  if (overrides === null || typeof overrides !== "object") {
    throw new InvalidOptionsError(`Retry options must be an object, got ${overrides === null ? "null" : typeof overrides}`);
  }
  for (const key of Object.keys(overrides)) {
    if (!(KEYS as string[]).includes(key)) {
      throw new InvalidOptionsError(`Unknown retry option "${key}"; did you mean "${closest(key, KEYS)}"?`);
    }
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const options = { ...base, ...defined } as ResilientRetryOptions;
  validate(options);
  return Object.freeze({ ...options, retryStatuses: Object.freeze([...options.retryStatuses]) });
}

function validate(o: ResilientRetryOptions): void {
  const problems: string[] = [];
  const check = (ok: boolean, message: string): void => void (ok || problems.push(message));
  const isNumber = (v: unknown): v is number => typeof v === "number" && !Number.isNaN(v);
  check(
    isNumber(o.maxRetries) && o.maxRetries >= 0 && (Number.isInteger(o.maxRetries) || o.maxRetries === Infinity),
    `maxRetries must be a whole number >= 0 or Infinity (got ${String(o.maxRetries)})`,
  );
  check(
    Array.isArray(o.retryStatuses) && o.retryStatuses.every((s) => Number.isInteger(s) && s >= 100 && s <= 599),
    "retryStatuses must be an array of HTTP status codes (100-599)",
  );
  check(
    typeof o.backoff === "function" || BACKOFF_NAMES.includes(o.backoff),
    `backoff must be one of ${BACKOFF_NAMES.map((n) => `"${n}"`).join(", ")} or a function (got ${String(o.backoff)})`,
  );
  check(isNumber(o.baseDelayMs) && o.baseDelayMs >= 0 && Number.isFinite(o.baseDelayMs), `baseDelayMs must be a finite number >= 0 (got ${String(o.baseDelayMs)})`);
  check(isNumber(o.maxDelayMs) && o.maxDelayMs >= 0, `maxDelayMs must be a number >= 0 (got ${String(o.maxDelayMs)})`);
  check(!(o.maxDelayMs < o.baseDelayMs), `maxDelayMs (${o.maxDelayMs}) must not be less than baseDelayMs (${o.baseDelayMs})`);
  check(isNumber(o.maxRetryAfterMs) && o.maxRetryAfterMs >= 0, `maxRetryAfterMs must be a number >= 0 (got ${String(o.maxRetryAfterMs)})`);
  check(isNumber(o.attemptTimeoutMs) && o.attemptTimeoutMs > 0, `attemptTimeoutMs must be a number > 0 or Infinity (got ${String(o.attemptTimeoutMs)})`);
  check(isNumber(o.deadlineMs) && o.deadlineMs > 0, `deadlineMs must be a number > 0 or Infinity (got ${String(o.deadlineMs)})`);
  check(
    isNumber(o.maxResponseBytes) && o.maxResponseBytes >= 1 && (Number.isInteger(o.maxResponseBytes) || o.maxResponseBytes === Infinity),
    `maxResponseBytes must be a whole number >= 1 or Infinity (got ${String(o.maxResponseBytes)})`,
  );
  check(typeof o.random === "function", "random must be a function returning numbers in [0, 1)");
  for (const hook of ["shouldRetry", "onRetry", "onGiveUp"] as const) {
    check(o[hook] === undefined || typeof o[hook] === "function", `${hook} must be a function`);
  }
  if (problems.length > 0) throw new InvalidOptionsError(`Invalid retry options:\n  - ${problems.join("\n  - ")}`);
}
