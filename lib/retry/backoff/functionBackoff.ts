import type { Backoff, BackoffFunction, BackoffSettings } from "./Backoff.js";

/**
 * Wraps a custom backoff function. Its result is clamped to `[0, cap]`; a result that is not a
 * number (NaN) counts as `cap`, so a buggy function slows retries down instead of spinning.
 * @param fn - Returns the delay for one retry.
 * @param settings - Base, cap and random source, passed on to `fn`.
 * @param retry - The retry this step is for. @default 1
 * @param previousDelayMs - The previous delay, if any.
 */
export function functionBackoff(
  fn: BackoffFunction,
  settings: BackoffSettings,
  retry = 1,
  previousDelayMs?: number,
): Backoff {
  const raw = fn({ ...settings, retry, previousDelayMs });
  const delayMs = Number.isNaN(raw) ? settings.capMs : Math.min(settings.capMs, Math.max(0, raw));
  return Object.freeze({
    retry,
    delayMs,
    next: () => functionBackoff(fn, settings, retry + 1, delayMs),
  });
}
