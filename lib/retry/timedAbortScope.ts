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
  const linked = linkToParent(parent, controller);
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
    if (!hasTimeout || disposed || timer !== undefined || linked.signal.aborted) return;
    startedAt = performance.now();
    timer = setTimeout(() => {
      timer = undefined;
      timedOut = true;
      cleanup();
      controller.abort(timeoutReason());
    }, remainingMs);
  };
  const cleanup = (): void => {
    disposed = true;
    stopTimer();
    linked.signal.removeEventListener("abort", cleanup);
    linked.unlink();
  };

  if (linked.signal.aborted) cleanup();
  else {
    linked.signal.addEventListener("abort", cleanup, { once: true });
    startTimer();
  }

  return {
    signal: linked.signal,
    get timedOut() {
      return timedOut;
    },
    suspend: stopTimer,
    resume: startTimer,
    dispose: cleanup,
  };
}

/**
 * Makes a signal that aborts when `parent` or `controller` does, with the first one's reason.
 *
 * Why `AbortSignal.any` when it exists: callers often share one signal across thousands of
 * requests (a shutdown signal). `AbortSignal.any` tracks dependants without adding an event
 * listener per request to the shared signal, so nothing piles up on it (and Node does not warn
 * about a listener leak). Older runtimes get a listener that `unlink()` removes.
 */
function linkToParent(parent: AbortSignal | undefined, controller: AbortController): { signal: AbortSignal; unlink: () => void } {
  if (parent === undefined) return { signal: controller.signal, unlink: () => undefined };
  const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (typeof any === "function") return { signal: any.call(AbortSignal, [parent, controller.signal]), unlink: () => undefined };
  const onParentAbort = (): void => controller.abort(parent.reason);
  if (parent.aborted) onParentAbort();
  else parent.addEventListener("abort", onParentAbort, { once: true });
  return { signal: controller.signal, unlink: () => parent.removeEventListener("abort", onParentAbort) };
}
