import type { Backoff, BackoffSettings } from "./Backoff.js";

/**
 * The same delay, `min(base, cap)`, before every retry.
 * @param settings - Base, cap and random source (unused).
 * @param retry - The retry this step is for. @default 1
 */
export function constantBackoff(settings: BackoffSettings, retry = 1): Backoff {
  return Object.freeze({
    retry,
    delayMs: Math.min(settings.baseMs, settings.capMs),
    next: () => constantBackoff(settings, retry + 1),
  });
}
