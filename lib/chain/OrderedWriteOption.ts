import type { MiddlewareOptions } from "@microsoft/microsoft-graph-client";

const ignore = (): void => undefined;

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
  private readonly inFlight = new Set<Promise<void>>();
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
   */
  track(work: Promise<unknown>): void {
    const settled = work.then(ignore, ignore);
    this.inFlight.add(settled);
    void settled.then(() => this.inFlight.delete(settled));
  }

  /** How many recorded attempts have not settled yet. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** Resolves once every recorded attempt has settled. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }
}
