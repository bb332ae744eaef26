import type { Backoff, BackoffSettings } from "./Backoff.js";
import { exponentialDelay } from "./exponentialDelay.js";

/**
 * "Full jitter" (AWS): a uniform delay in `[0, min(cap, base * 2^(retry - 1)))`.
 * @param settings - Base, cap and random source.
 * @param retry - The retry this step is for. @default 1
 */
export function fullJitterBackoff(settings: BackoffSettings, retry = 1): Backoff {
  return Object.freeze({
    retry,
    delayMs: settings.random() * exponentialDelay(settings.baseMs, settings.capMs, retry),
    next: () => fullJitterBackoff(settings, retry + 1),
  });
}
