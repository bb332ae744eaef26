import type { AttemptClock } from "../chain/attemptClock.js";
import { MAX_TIMER_MS } from "../chain/safeTimer.js";

/**
 * An `AbortSignal` that aborts when its parent aborts (with the parent's reason), when its own
 * timeout elapses, or at an optional fixed deadline. The timeout can be suspended and resumed,
 * keeping the time that was left; the deadline cannot. This is the per-attempt
 * {@link AttemptClock} the throttle handler pauses while a request is queued, and the call's
 * deadline rides on the same timer, so an attempt costs one controller and one timer.
 */
export interface TimedAbortScope extends AttemptClock {
  /** Aborts on parent abort, timeout or deadline. */
  readonly signal: AbortSignal;
  /** Whether this scope's own timeout fired (as opposed to its parent aborting or the deadline). */
  readonly timedOut: boolean;
  /** Whether the deadline fired. */
  readonly deadlineExpired: boolean;
  /** Whether the scope aborted, for any reason (read without making its signal). */
  readonly aborted: boolean;
  /** The time left before the timeout fires, in milliseconds (`Infinity` without one, 0 once it fired); the deadline is not counted. */
  readonly timeLeftMs: number;
  /** Clears the timer and stops following the parent (idempotent); the signal stays as it is. */
  dispose(): void;
  /**
   * Sets the one listener called when the scope aborts (after `onAbort`, before the signal), or
   * removes it with `undefined`. One slot, not an event target: a race per attempt costs no
   * `AbortController` or listener list.
   * @param listener - Receives the abort reason.
   */
  setAbortListener(listener: ((reason: unknown) => void) | undefined): void;
  /**
   * Sets (or moves) the scope's fixed deadline, armed from now on; a scope made without one gets
   * its timer only when this is called.
   * @param deadline - The new deadline.
   */
  setDeadline(deadline: ScopeDeadline): void;
}

/** A fixed point in time (on `performance.now()`'s clock) at which a scope aborts, suspended or not. */
export interface ScopeDeadline {
  /** When, in `performance.now()` milliseconds; `Infinity` for none. */
  readonly at: number;
  /** Makes the abort reason. */
  readonly reason: () => unknown;
}

const timeoutError = (): unknown => new DOMException("The operation timed out", "TimeoutError");

/**
 * Creates a {@link TimedAbortScope}.
 * @param parent - The signal this one follows, if any.
 * @param timeoutMs - The timeout; `Infinity` (or anything beyond `setTimeout`'s range) means none.
 * @param timeoutReason - Makes the abort reason used when the timeout fires.
 * @param deadline - A fixed time at which the scope aborts too, even while suspended.
 * @param onAbort - Called once when the scope aborts, before its signal does (a watcher that
 *   needs no signal: then the scope makes no `AbortController` unless its `signal` is read).
 */
export function createTimedAbortScope(
  parent: AbortSignal | undefined,
  timeoutMs: number,
  timeoutReason: () => unknown = timeoutError,
  deadline?: ScopeDeadline,
  onAbort?: (reason: unknown) => void,
): TimedAbortScope {
  return new Scope(parent, timeoutMs, timeoutReason, deadline, onAbort);
}

/**
 * One timer serves both limits. It never fires later than the earlier of the running timeout and
 * the deadline, but may fire earlier: then it re-arms for what is left. So suspend() and resume()
 * (once per attempt, by the throttle handler) leave a running timer alone instead of clearing and
 * setting it; suspend() clears it only when nothing is left to time.
 * There is no "abort" listener on the scope's own signal: every abort goes through {@link abortWith},
 * which cleans up first, so the cleanup still runs before anyone else sees the abort.
 */
class Scope implements TimedAbortScope, Follower {
  /** Made when {@link signal} is first read: a watcher that only needs `onAbort` never pays for one. */
  private controller: AbortController | undefined;
  private hasAborted = false;
  private reason: unknown;
  private readonly hasTimeout: boolean;
  private remainingMs: number;
  private startedAt = 0;
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer fires (`performance.now()` ms). */
  private timerDue = Infinity;
  private unlink: (() => void) | undefined;
  private disposed = false;
  private timeoutFired = false;
  private deadlineFired = false;
  private listener: ((reason: unknown) => void) | undefined;

  constructor(
    parent: AbortSignal | undefined,
    timeoutMs: number,
    private readonly timeoutReason: () => unknown,
    private deadline: ScopeDeadline | undefined,
    private readonly onAbort: ((reason: unknown) => void) | undefined,
  ) {
    this.hasTimeout = timeoutMs <= MAX_TIMER_MS;
    this.remainingMs = Math.max(0, timeoutMs);
    if (parent?.aborted === true) {
      this.abortWith(parent.reason);
      return;
    }
    if (parent !== undefined) this.unlink = linkToParent(parent, this);
    this.running = true;
    this.startedAt = performance.now();
    this.arm(this.startedAt);
  }

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.hasAborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  get timedOut(): boolean {
    return this.timeoutFired;
  }

  get deadlineExpired(): boolean {
    return this.deadlineFired;
  }

  get aborted(): boolean {
    return this.hasAborted;
  }

  setAbortListener(listener: ((reason: unknown) => void) | undefined): void {
    this.listener = listener;
  }

  setDeadline(deadline: ScopeDeadline): void {
    if (this.disposed) return;
    this.deadline = deadline;
    this.arm(performance.now());
  }

  get timeLeftMs(): number {
    if (!this.hasTimeout) return Infinity;
    if (this.timeoutFired) return 0;
    return this.running ? Math.max(0, this.remainingMs - (performance.now() - this.startedAt)) : this.remainingMs;
  }

  suspend(): void {
    if (!this.running || this.disposed) return;
    const now = performance.now();
    this.running = false;
    this.remainingMs = Math.max(0, this.remainingMs - (now - this.startedAt));
    if (this.dueAt() === Infinity) this.clearTimer();
  }

  resume(): void {
    if (this.running || this.disposed) return;
    this.running = true;
    this.startedAt = performance.now();
    this.arm(this.startedAt);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearTimer();
    this.unlink?.();
    this.unlink = undefined;
  }

  /** Called by the parent's single listener. */
  abortFromParent(reason: unknown): void {
    this.unlink = undefined; // the parent already dropped us
    this.abortWith(reason);
  }

  private abortWith(reason: unknown): void {
    this.dispose();
    if (this.hasAborted) return;
    this.hasAborted = true;
    this.reason = reason;
    this.onAbort?.(reason);
    const listener = this.listener;
    this.listener = undefined;
    listener?.(reason);
    this.controller?.abort(reason);
  }

  /** When the earlier limit ends, or `Infinity` when nothing is timed. */
  private dueAt(): number {
    const timeoutAt = this.running && this.hasTimeout ? this.startedAt + this.remainingMs : Infinity;
    return Math.min(timeoutAt, this.deadline?.at ?? Infinity);
  }

  private clearTimer(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  /** Makes sure a timer fires no later than the earlier limit (an earlier timer is kept). */
  private arm(now: number): void {
    if (this.disposed) return;
    const due = this.dueAt();
    if (this.timer !== undefined && this.timerDue <= due) return;
    this.clearTimer();
    if (!(due - now <= MAX_TIMER_MS)) return;
    this.timerDue = due;
    // Whole milliseconds: Node keeps one timer list per distinct delay, so attempts with the same
    // timeout share one list instead of each adding a list to the timer heap.
    this.timer = setTimeout(() => this.fire(), Math.ceil(Math.max(0, due - now)));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerDue = Infinity;
    const now = performance.now();
    const timeoutAt = this.running && this.hasTimeout ? this.startedAt + this.remainingMs : Infinity;
    const deadlineAt = this.deadline?.at ?? Infinity;
    // Timers may fire a fraction of a millisecond before their time on performance.now()'s
    // clock; a limit within 1 ms counts as reached (an early timer of a resumed timeout is further off).
    if (deadlineAt <= timeoutAt && deadlineAt - now < 1) {
      this.deadlineFired = true;
      this.abortWith((this.deadline as ScopeDeadline).reason());
    } else if (timeoutAt - now < 1) {
      this.timeoutFired = true;
      this.abortWith(this.timeoutReason());
    } else {
      this.arm(now);
    }
  }
}

/** What a parent's listener aborts. */
interface Follower {
  abortFromParent(reason: unknown): void;
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
  readonly live: Set<Follower>;
  readonly onAbort: () => void;
}

const followersOf = new WeakMap<AbortSignal, Followers>();

/**
 * Makes `follower` abort when `parent` does, with the parent's reason, until the returned unlink
 * is called; the parent's listener goes away with its last follower.
 */
function linkToParent(parent: AbortSignal, follower: Follower): () => void {
  const followers = followersOf.get(parent) ?? follow(parent);
  followers.live.add(follower);
  return () => {
    followers.live.delete(follower);
    if (followers.live.size === 0 && followersOf.get(parent) === followers) {
      parent.removeEventListener("abort", followers.onAbort);
      followersOf.delete(parent);
    }
  };
}

/** Adds the one listener to `parent` (a function of its own, so its closure holds only `parent` and the set). */
function follow(parent: AbortSignal): Followers {
  const followers: Followers = {
    live: new Set(),
    onAbort: () => {
      followersOf.delete(parent);
      const targets = [...followers.live];
      followers.live.clear();
      for (const target of targets) target.abortFromParent(parent.reason);
    },
  };
  followersOf.set(parent, followers);
  parent.addEventListener("abort", followers.onAbort, { once: true });
  return followers;
}
