/** The longest delay `setTimeout` supports (about 24.8 days); longer ones would fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * Waits `ms` milliseconds, or rejects with `signal.reason` as soon as the signal aborts. On
 * either path it clears its timer and removes its listener, so nothing is left behind (unlike a
 * bare `setTimeout`, which keeps a process alive after the caller gave up).
 * @param ms - How long to wait; clamped to `[0, MAX_TIMER_MS]`.
 * @param signal - Cancels the wait.
 */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      },
      Math.min(Math.max(ms, 0), MAX_TIMER_MS),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
