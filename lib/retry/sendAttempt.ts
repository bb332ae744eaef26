import type { Context, FetchOptions, Middleware } from "@microsoft/microsoft-graph-client";
import { bindAttemptClock, unbindAttemptClock } from "../chain/attemptClock.js";
import { getMiddlewareOption } from "../chain/middlewareOption.js";
import { OrderedWriteOption } from "../chain/OrderedWriteOption.js";
import { copyHeaders, setRequestHeader } from "../chain/requestHeaders.js";
import { publishWaitLimit, type WaitLimit } from "../chain/waitLimit.js";
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
 * headers (`Retry-Attempt` on retries) and its own signal, so a late write by an abandoned attempt
 * cannot touch the caller's context or the next attempt. The attempt clock is bound to that copy,
 * and the call's wait limit published under that signal, for the throttle and batch handlers
 * below. Resolves at once when the attempt's scope aborts, even if the chain ignores it.
 * @param context - The caller's context (not modified).
 * @param next - The next middleware.
 * @param scope - The attempt's abort scope and clock.
 * @param attempt - The attempt number, from 1.
 * @param waitLimit - How long the call may wait for the server, published for the handlers below.
 */
export async function sendAttempt(context: Context, next: Middleware, scope: TimedAbortScope, attempt: number, waitLimit: WaitLimit): Promise<AttemptOutcome> {
  // An ordered write's attempt is detached, not aborted, when its own timeout fires: the request
  // runs on under the caller's signal and the call's deadline, and the write's option tracks it.
  const ordered = getMiddlewareOption(context, OrderedWriteOption);
  // Its transport follows the caller at once; its timer is set only if the attempt ends with the
  // request still running (see `detach`), so an answered attempt costs no second timer.
  const transport = ordered === undefined ? undefined : createTimedAbortScope(context.options?.signal ?? undefined, Infinity);
  const signal = transport === undefined ? scope.signal : transport.signal;
  const options: FetchOptions = { ...context.options, signal };
  // Published under the signal the chain below receives (the transport's, for an ordered write).
  publishWaitLimit(signal, waitLimit);
  const headers = copyHeaders(context.options?.headers);
  if (headers !== undefined) options.headers = headers;
  const attemptContext: Context = { ...context, options, response: undefined };
  if (attempt > 1) setRequestHeader(attemptContext, "Retry-Attempt", String(attempt - 1));
  bindAttemptClock(attemptContext, scope);
  const work = next.execute(attemptContext);
  let running = true;
  if (ordered !== undefined && transport !== undefined) {
    ordered.track(work, () => {
      running = false;
      transport.dispose();
    });
  }
  try {
    await raceScope(work, scope, () => {
      if (attemptContext.response !== undefined) discardResponse(attemptContext.response);
    });
    return { kind: "response", response: attemptContext.response };
  } catch (error) {
    return scope.aborted ? { kind: "aborted" } : { kind: "threw", error };
  } finally {
    unbindAttemptClock(attemptContext);
    // A detached request ends a moment after the deadline, so the call's own clocks (the
    // deadline's typed error, the body guard) always decide first and this only stops a request
    // nobody waits for.
    if (ordered !== undefined && transport !== undefined && running) {
      transport.setDeadline({ at: performance.now() + ordered.remainingMs() + DETACHED_GRACE_MS, reason: detachedTimeout });
    }
  }
}

/**
 * Settles like `work`, unless `scope` aborts first: then it rejects with the abort reason at once,
 * even if `work` ignores it. Uses the scope's one listener slot, so a race costs no
 * `AbortController` or event listener. A late rejection of abandoned work is swallowed, and
 * `onAbandoned` receives a late result (to free a response).
 */
function raceScope<T>(work: Promise<T>, scope: TimedAbortScope, onAbandoned: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    work.then(
      (value) => {
        scope.setAbortListener(undefined);
        if (settled) onAbandoned(value);
        else {
          settled = true;
          resolve(value);
        }
      },
      (error: unknown) => {
        scope.setAbortListener(undefined);
        if (settled) return;
        settled = true;
        reject(error);
      },
    );
    if (scope.aborted) {
      settled = true;
      reject(new Error("attempt aborted"));
      return;
    }
    scope.setAbortListener((reason) => {
      if (settled) return;
      settled = true;
      reject(reason);
    });
  });
}

function detachedTimeout(): unknown {
  return new DOMException("The operation timed out", "TimeoutError");
}
