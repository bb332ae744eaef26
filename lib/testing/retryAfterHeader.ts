import type { EmulatorRetryAfter } from "./types.js";

/** How `Retry-After` is written. */
export type RetryAfterFormat = "seconds" | "fractional-seconds" | "http-date";

/**
 * Formats a wait as a `Retry-After` value that never asks for less than the real wait.
 *
 * - `"seconds"`: whole seconds, rounded up (at least 1 when the wait is positive).
 * - `"fractional-seconds"`: seconds with 3 decimals, rounded up to the millisecond (e.g. `0.137`).
 * - `"http-date"`: an IMF-fixdate, rounded up to the next whole second (its resolution).
 *
 * @param waitMs - The wait in milliseconds.
 * @param format - The format to write.
 * @param nowEpochMs - The current wall-clock time, for HTTP-dates. @default Date.now()
 */
export function formatRetryAfter(waitMs: number, format: RetryAfterFormat, nowEpochMs: number = Date.now()): string {
  const ms = Math.max(0, Math.ceil(waitMs));
  switch (format) {
    case "seconds":
      return String(Math.ceil(ms / 1000));
    case "fractional-seconds":
      return (ms / 1000).toFixed(3);
    case "http-date":
      return new Date(Math.ceil((nowEpochMs + ms) / 1000) * 1000).toUTCString();
  }
}

/**
 * The `Retry-After` a limit writes for a wait: formatted as {@link formatRetryAfter} does, a fixed
 * number of seconds whatever the wait (as some services send), or none.
 * @param waitMs - The real wait in milliseconds.
 * @param mode - The limit's `retryAfter`.
 * @param nowEpochMs - The current wall-clock time, for HTTP-dates. @default Date.now()
 * @returns The header value, or `undefined` for no header.
 */
export function retryAfterValue(waitMs: number, mode: EmulatorRetryAfter, nowEpochMs: number = Date.now()): string | undefined {
  if (mode === "none") return undefined;
  if (typeof mode === "object") return String(mode.fixedSeconds);
  return formatRetryAfter(waitMs, mode, nowEpochMs);
}
