import type { Backoff, BackoffSettings } from "./Backoff.js";

/**
 * Exponential backoff with decorrelated jitter (AWS "decorrelated jitter", as in Polly and
 * cockatiel): `next = min(cap, random(base, previous * 3))`, starting from `previous = base`.
 * Every delay stays within `[base, cap]`, grows about threefold per retry on average, and clients
 * that failed together drift apart instead of retrying in lockstep.
 * @param settings - Base, cap and random source.
 * @param retry - The retry this step is for. @default 1
 * @param previousMs - The previous delay. @default settings.baseMs
 */
export function decorrelatedJitterBackoff(settings: BackoffSettings, retry = 1, previousMs = settings.baseMs): Backoff {
  const { baseMs, capMs, random } = settings;
  const upper = Math.min(capMs, previousMs * 3);
  const delayMs = Math.min(capMs, baseMs + random() * Math.max(0, upper - baseMs));
  return Object.freeze({
    retry,
    delayMs,
    next: () => decorrelatedJitterBackoff(settings, retry + 1, delayMs),
  });
}
