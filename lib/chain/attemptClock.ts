import type { Context } from "@microsoft/microsoft-graph-client";

/**
 * The running per-attempt timeout of one request. The retry handler owns it; the throttle handler
 * suspends it while the request waits in the throttle queue, because time spent queued on our side
 * is not the server hanging and must not count toward `attemptTimeoutMs` (it still counts toward
 * `deadlineMs`).
 */
export interface AttemptClock {
  /** Stops the attempt timer (idempotent). */
  suspend(): void;
  /** Restarts the attempt timer with the time that was left (idempotent). */
  resume(): void;
}

const clocks = new WeakMap<Context, AttemptClock>();

/**
 * Binds the attempt clock of the current attempt to its context.
 * @param context - The middleware context of the request.
 * @param clock - The clock of the attempt in flight.
 */
export function bindAttemptClock(context: Context, clock: AttemptClock): void {
  clocks.set(context, clock);
}

/**
 * Removes the attempt clock of a context.
 * @param context - The middleware context of the request.
 */
export function unbindAttemptClock(context: Context): void {
  clocks.delete(context);
}

/**
 * Suspends the attempt clock of this request, if there is one, and returns a function that
 * resumes it. Safe to call when no retry handler is in the chain.
 * @param context - The middleware context of the request.
 */
export function suspendAttemptClock(context: Context): () => void {
  const clock = clocks.get(context);
  if (clock === undefined) return () => undefined;
  clock.suspend();
  return () => clock.resume();
}
