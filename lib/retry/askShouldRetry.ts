import { raceAbort } from "../chain/raceAbort.js";
import { eventBase, pastDeadline, type Failure, type RetryCall } from "./retryCall.js";
import { createTimedAbortScope } from "./timedAbortScope.js";

/** What `shouldRetry` said, or why there is no answer. */
export type ShouldRetryAnswer =
  | { readonly kind: "answer"; readonly retry: boolean }
  /** The caller aborted, or the deadline passed, before it answered. */
  | { readonly kind: "cut-short"; readonly deadline: boolean }
  /** It threw or rejected. */
  | { readonly kind: "threw"; readonly error: unknown };

/**
 * Asks the user's `shouldRetry` about a failure. Its answer is awaited no longer than the call's
 * deadline and the caller's signal allow: a callback that never settles cannot hold the call (a
 * late answer or rejection is ignored). Only `false` vetoes the retry.
 * @param call - The call (`options.shouldRetry` must be set).
 * @param failure - The failure to retry.
 * @param delayMs - The wait before the retry.
 */
export async function askShouldRetry(call: RetryCall, failure: Failure, delayMs: number): Promise<ShouldRetryAnswer> {
  const shouldRetry = call.options.shouldRetry;
  if (shouldRetry === undefined) return { kind: "answer", retry: true };
  let verdict: boolean | Promise<boolean>;
  try {
    verdict = shouldRetry({ ...eventBase(call, failure), attempt: call.attempt, delayMs, reason: failure.reason, error: failure.error });
  } catch (error) {
    return { kind: "threw", error };
  }
  if (!isThenable(verdict)) return settled(call, verdict);
  // Only an asynchronous answer needs a timer: one scope for the deadline and the caller's signal.
  const limits = createTimedAbortScope(call.callerSignal, Infinity, undefined, call.deadline);
  try {
    return settled(call, await raceAbort(Promise.resolve(verdict), limits.signal));
  } catch (error) {
    if (limits.signal.aborted) return { kind: "cut-short", deadline: limits.deadlineExpired };
    return { kind: "threw", error };
  } finally {
    limits.dispose();
  }
}

/** An answer that arrived: a veto stands; a go-ahead only if the call was not cut short meanwhile. */
function settled(call: RetryCall, verdict: unknown): ShouldRetryAnswer {
  if (verdict === false) return { kind: "answer", retry: false };
  if (pastDeadline(call)) return { kind: "cut-short", deadline: true };
  if (call.callerSignal?.aborted === true) return { kind: "cut-short", deadline: false };
  return { kind: "answer", retry: true };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}
