import { setSafeTimeout } from "./safeTimer.js";

/**
 * Waits `ms` milliseconds, or rejects with `signal.reason` as soon as the signal aborts. On
 * either path it clears its timer and removes its listener, so nothing is left behind (unlike a
 * bare `setTimeout`, which keeps a process alive after the caller gave up).
 * @param ms - How long to wait; negatives mean 0, and a wait beyond one timer's range is served
 *   whole (see `setSafeTimeout`), never cut short or overflowed into a spin.
 * @param signal - Cancels the wait.
 */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      timer.clear();
      reject(signal?.reason);
    };
    const timer = setSafeTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
