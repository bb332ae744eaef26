import type { Context, FetchOptions, Middleware } from "@microsoft/microsoft-graph-client";
import { bindAttemptClock, unbindAttemptClock } from "../chain/attemptClock.js";
import { raceAbort } from "../chain/raceAbort.js";
import { copyHeaders, setRequestHeader } from "../chain/requestHeaders.js";
import { discardResponse } from "./statusError.js";
import type { TimedAbortScope } from "./timedAbortScope.js";

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
  const options: FetchOptions = { ...context.options, signal: scope.signal };
  const headers = copyHeaders(context.options?.headers);
  if (headers !== undefined) options.headers = headers;
  const attemptContext: Context = { ...context, options, response: undefined };
  if (attempt > 1) setRequestHeader(attemptContext, "Retry-Attempt", String(attempt - 1));
  bindAttemptClock(attemptContext, scope);
  try {
    await raceAbort(next.execute(attemptContext), scope.signal, () => {
      if (attemptContext.response !== undefined) discardResponse(attemptContext.response);
    });
    return { kind: "response", response: attemptContext.response };
  } catch (error) {
    return scope.signal.aborted ? { kind: "aborted" } : { kind: "threw", error };
  } finally {
    unbindAttemptClock(attemptContext);
  }
}
