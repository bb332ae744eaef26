import type { Context, FetchOptions, Middleware } from "@microsoft/microsoft-graph-client";
import { bindAttemptClock, unbindAttemptClock } from "../chain/attemptClock.js";
import { raceAbort } from "../chain/raceAbort.js";
import { getMiddlewareOption } from "../chain/middlewareOption.js";
import { OrderedWriteOption } from "../chain/OrderedWriteOption.js";
import { copyHeaders, setRequestHeader } from "../chain/requestHeaders.js";
import { discardResponse } from "./statusError.js";
import { createTimedAbortScope, type TimedAbortScope } from "./timedAbortScope.js";

/** How long after the call's deadline a detached attempt of an ordered write is aborted. */
const DETACHED_GRACE_MS = 50;

/** How one attempt ended. */
export type AttemptOutcome =
  /** The chain below answered (`response` is undefined if nothing set one). */
  | { readonly kind: "response"; readonly response: Response | undefined }
  /** The chain below threw while the attempt was not aborted. */
  | { readonly kind: "threw"; readonly error: unknown }
  /** The attempt's signal aborted: its timeout, the deadline, or the caller. */
  | { readonly kind: "aborted" };

/**
 * Sends one attempt down the chain. The attempt runs on a shallow copy of the context with its own
 * headers (`Retry-Attempt` on retries) and the attempt's signal, so a late write by an abandoned
 * attempt cannot touch the caller's context or the next attempt. The attempt clock is bound to
 * that copy for the throttle handler below. Resolves at once when the signal aborts, even if the
 * chain ignores it.
 * @param context - The caller's context (not modified).
 * @param next - The next middleware.
 * @param scope - The attempt's abort scope and clock.
 * @param attempt - The attempt number, from 1.
 */
export async function sendAttempt(context: Context, next: Middleware, scope: TimedAbortScope, attempt: number): Promise<AttemptOutcome> {
  // An ordered write's attempt is detached, not aborted, when its own timeout fires: the request
  // runs on under the caller's signal and the call's deadline, and the write's option tracks it.
  const ordered = getMiddlewareOption(context, OrderedWriteOption);
  // It ends a moment after the deadline, so the call's own clocks (the deadline's typed error, the
  // body guard) always decide first and this only stops a detached attempt nobody waits for.
  const transport =
    ordered === undefined ? undefined : createTimedAbortScope(context.options?.signal ?? undefined, ordered.remainingMs() + DETACHED_GRACE_MS);
  const options: FetchOptions = { ...context.options, signal: transport?.signal ?? scope.signal };
  const headers = copyHeaders(context.options?.headers);
  if (headers !== undefined) options.headers = headers;
  const attemptContext: Context = { ...context, options, response: undefined };
  if (attempt > 1) setRequestHeader(attemptContext, "Retry-Attempt", String(attempt - 1));
  bindAttemptClock(attemptContext, scope);
  try {
    const work = next.execute(attemptContext);
    if (ordered !== undefined && transport !== undefined) {
      ordered.track(work);
      const settle = (): void => transport.dispose();
      void work.then(settle, settle);
    }
    await raceAbort(work, scope.signal, () => {
      if (attemptContext.response !== undefined) discardResponse(attemptContext.response);
    });
    return { kind: "response", response: attemptContext.response };
  } catch (error) {
    return scope.signal.aborted ? { kind: "aborted" } : { kind: "threw", error };
  } finally {
    unbindAttemptClock(attemptContext);
  }
}
