import type { MiddlewareOptions } from "@microsoft/microsoft-graph-client";

/** What {@link OrderedWriteOption.settled} gives when nothing is in flight: one shared, already resolved promise. */
const SETTLED: Promise<void> = Promise.resolve();

/**
 * Marks one write whose attempts must all be accounted for before the next write to the same
 * entity may start, passed through `.middlewareOptions([...])`. `update()` adds it.
 *
 * Why: once a client aborts an attempt it can no longer see whether or when the server applies
 * it, so a timed-out attempt of update N could land after update N+1 was acknowledged and undo it.
 * So the retry handler does not abort an attempt of such a write when `attemptTimeoutMs` fires: it
 * detaches it (the retry goes ahead, the first request keeps running until it is answered or fails)
 * and records it here. Each recorded attempt is still aborted by the caller's signal and at the
 * call's deadline, so {@link settled} always resolves.
 */
export class OrderedWriteOption implements MiddlewareOptions {
  // A count and one waiter, not a set of promises: every write records its attempts, and an
  // answered attempt should cost no promise beyond the one reaction that counts it down.
  private inFlight = 0;
  private idle: { readonly promise: Promise<void>; readonly resolve: () => void } | undefined;
  private deadlineAt = Infinity;

  /**
   * Sets when the call's deadline passes, on the `performance.now()` clock; the retry handler calls
   * it as the call starts. Detached attempts are aborted then.
   * @param atMs - The instant; `Infinity` for none.
   */
  setDeadline(atMs: number): void {
    this.deadlineAt = atMs;
  }

  /** Milliseconds until the deadline (0 once passed), or `Infinity` when there is none. */
  remainingMs(): number {
    return Math.max(0, this.deadlineAt - performance.now());
  }

  /**
   * Records an attempt in flight until it settles, whatever its outcome.
   * @param work - The attempt.
   * @param onSettled - Also called when it settles (before {@link settled} resolves).
   */
  track(work: Promise<unknown>, onSettled?: () => void): void {
    this.inFlight += 1;
    const done = (): void => {
      onSettled?.();
      this.inFlight -= 1;
      if (this.inFlight > 0 || this.idle === undefined) return;
      const { resolve } = this.idle;
      this.idle = undefined;
      resolve();
    };
    work.then(done, done);
  }

  /** How many recorded attempts have not settled yet. */
  get pending(): number {
    return this.inFlight;
  }

  /** Resolves once every recorded attempt has settled (at once, with nothing in flight). */
  settled(): Promise<void> {
    if (this.inFlight === 0) return SETTLED;
    if (this.idle === undefined) {
      let resolve = (): void => undefined;
      const promise = new Promise<void>((done) => (resolve = done));
      this.idle = { promise, resolve };
    }
    return this.idle.promise;
  }
}
