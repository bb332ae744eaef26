import type { AttemptClock } from "../middleware/attemptClock.js";
import { MAX_TIMER_MS } from "./abortableDelay.js";

/**
 * An `AbortSignal` that aborts when its parent aborts (with the parent's reason) or when its own
 * timeout elapses. The timeout can be suspended and resumed, keeping the time that was left: this
 * is the per-attempt {@link AttemptClock} the throttle handler pauses while a request is queued.
 */
export interface TimedAbortScope extends AttemptClock {
  /** Aborts on parent abort or timeout. */
  readonly signal: AbortSignal;
  /** Whether this scope's own timeout fired (as opposed to its parent aborting). */
  readonly timedOut: boolean;
  /** Clears the timer and removes the parent listener (idempotent); the signal stays as it is. */
  dispose(): void;
}

/**
 * Creates a {@link TimedAbortScope}.
 * @param parent - The signal this one follows, if any.
 * @param timeoutMs - The timeout; `Infinity` (or anything beyond `setTimeout`'s range) means none.
 * @param timeoutReason - Makes the abort reason used when the timeout fires.
 */
export function createTimedAbortScope(
  parent: AbortSignal | undefined,
  timeoutMs: number,
  timeoutReason: () => unknown = () => new DOMException("The operation timed out", "TimeoutError"),
): TimedAbortScope {
  const controller = new AbortController();
  const hasTimeout = timeoutMs <= MAX_TIMER_MS;
  let remainingMs = Math.max(0, timeoutMs);
  let startedAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  let disposed = false;

  const stopTimer = (): void => {
    if (timer === undefined) return;
    clearTimeout(timer);
    timer = undefined;
    remainingMs = Math.max(0, remainingMs - (performance.now() - startedAt));
  };
  const startTimer = (): void => {
    if (!hasTimeout || disposed || timer !== undefined || controller.signal.aborted) return;
    startedAt = performance.now();
    timer = setTimeout(() => {
      timer = undefined;
      timedOut = true;
      cleanup();
      controller.abort(timeoutReason());
    }, remainingMs);
  };
  const onParentAbort = (): void => {
    cleanup();
    controller.abort(parent?.reason);
  };
  const cleanup = (): void => {
    disposed = true;
    stopTimer();
    parent?.removeEventListener("abort", onParentAbort);
  };

  if (parent?.aborted) onParentAbort();
  else {
    parent?.addEventListener("abort", onParentAbort, { once: true });
    startTimer();
  }

  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    suspend: stopTimer,
    resume: startTimer,
    dispose: cleanup,
  };
}
