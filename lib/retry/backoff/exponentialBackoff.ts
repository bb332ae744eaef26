import type { Backoff, BackoffSettings } from "./Backoff.js";
import { exponentialDelay } from "./exponentialDelay.js";

/**
 * Plain exponential backoff without jitter: `min(cap, base * 2^(retry - 1))`. Predictable, but a
 * burst of clients that failed together retries together; prefer `decorrelatedJitterBackoff`.
 * @param settings - Base, cap and random source (unused).
 * @param retry - The retry this step is for. @default 1
 */
export function exponentialBackoff(settings: BackoffSettings, retry = 1): Backoff {
  return Object.freeze({
    retry,
    delayMs: exponentialDelay(settings.baseMs, settings.capMs, retry),
    next: () => exponentialBackoff(settings, retry + 1),
  });
}
