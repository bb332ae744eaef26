import type { AttemptClock } from "../chain/attemptClock.js";
import { MAX_TIMER_MS } from "../chain/safeTimer.js";

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
  /** The time left before the timeout fires, in milliseconds (`Infinity` without one, 0 once it fired). */
  readonly remainingMs: number;
  /** Clears the timer and stops following the parent (idempotent); the signal stays as it is. */
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
      // `cleanup` is the signal's first abort listener, so it runs before anyone else sees the abort.
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
    get remainingMs() {
      if (!hasTimeout) return Infinity;
      if (timedOut) return 0;
      return timer === undefined ? remainingMs : Math.max(0, remainingMs - (performance.now() - startedAt));
    },
    suspend: stopTimer,
    resume: startTimer,
    dispose: cleanup,
  };
}

/**
 * The scopes that follow one parent signal, behind a single "abort" listener on that parent.
 *
 * Why not one listener per scope: callers share one signal across thousands of requests (a
 * shutdown signal), and Node warns about a listener leak past 10. Why not
 * `AbortSignal.any([parent, own])`: on Node 20 it adds a `WeakRef` per call to the parent that is
 * never removed while the parent lives (a shared signal that is never aborted grows without
 * bound), and on abort it keeps every dependant alive until the job ends (~2.3 KB per queued
 * request right after a mass abort). A set of live followers, left on dispose, has neither cost.
 */
interface Followers {
  readonly live: Set<AbortController>;
  readonly onAbort: () => void;
}

const followersOf = new WeakMap<AbortSignal, Followers>();

/**
 * Makes `controller` abort when `parent` does, with the parent's reason, until `unlink()`
 * (idempotent); the parent's listener goes away with its last follower.
 */
function linkToParent(parent: AbortSignal | undefined, controller: AbortController): { signal: AbortSignal; unlink: () => void } {
  const signal = controller.signal;
  if (parent === undefined) return { signal, unlink: () => undefined };
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal, unlink: () => undefined };
  }
  const followers = followersOf.get(parent) ?? follow(parent);
  followers.live.add(controller);
  return {
    signal,
    unlink: () => {
      followers.live.delete(controller);
      if (followers.live.size === 0 && followersOf.get(parent) === followers) {
        parent.removeEventListener("abort", followers.onAbort);
        followersOf.delete(parent);
      }
    },
  };
}

/** Adds the one listener to `parent` (a function of its own, so its closure holds only `parent` and the set). */
function follow(parent: AbortSignal): Followers {
  const followers: Followers = {
    live: new Set(),
    onAbort: () => {
      followersOf.delete(parent);
      // A copy: each abort runs that scope's cleanup, which unlinks it from the set.
      const targets = [...followers.live];
      followers.live.clear();
      for (const target of targets) target.abort(parent.reason);
    },
  };
  followersOf.set(parent, followers);
  parent.addEventListener("abort", followers.onAbort, { once: true });
  return followers;
}
