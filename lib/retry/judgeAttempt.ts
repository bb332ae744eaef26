import { classifyNetworkError, networkFailureHint } from "../chain/classifyNetworkError.js";
import { readRetryAfter } from "../chain/readRetryAfter.js";
import { redactSecrets } from "../chain/redactSecrets.js";
import { AttemptTimeoutError } from "../errors/AttemptTimeoutError.js";
import { GraphNetworkError } from "../errors/GraphNetworkError.js";
import { stopShort } from "./giveUp.js";
import type { CallEnd, Failure, RetryCall } from "./retryCall.js";
import type { AttemptOutcome } from "./sendAttempt.js";
import { readErrorBody, statusError } from "./statusError.js";
import type { TimedAbortScope } from "./timedAbortScope.js";

/** What an attempt's outcome means for the call. */
export type AttemptVerdict =
  /** A response that is not retried (success, or a status not in `retryStatuses`). */
  | { readonly kind: "final"; readonly response: Response | undefined }
  /** A failure that may be retried. */
  | { readonly kind: "failure"; readonly failure: Failure }
  /** The call ends now: aborted by the caller or the deadline, or an error that is no network failure. */
  | { readonly kind: "end"; readonly end: CallEnd };

/**
 * Turns one attempt's outcome into a verdict: reads a retryable status's error body (bounded by the
 * attempt's signal) into a typed error, and wraps timeouts and network failures. Records the
 * failure as the call's latest.
 * @param call - The call.
 * @param outcome - How the attempt ended.
 * @param scope - The attempt's abort scope (still running).
 */
export function judgeAttempt(call: RetryCall, outcome: AttemptOutcome, scope: TimedAbortScope): AttemptVerdict | Promise<AttemptVerdict> {
  const verdict = verdictOf(call, outcome, scope);
  // Only a retryable status needs a read (its error body): every other verdict comes back at once,
  // without a promise, as every successful attempt does.
  if (!(verdict instanceof Promise)) return recordFailure(call, verdict);
  return verdict.then((read) => recordFailure(call, read));
}

function recordFailure(call: RetryCall, verdict: AttemptVerdict): AttemptVerdict {
  if (verdict.kind === "failure") call.last = verdict.failure;
  return verdict;
}

function verdictOf(call: RetryCall, outcome: AttemptOutcome, scope: TimedAbortScope): AttemptVerdict | Promise<AttemptVerdict> {
  const { request, options, attempt } = call;
  switch (outcome.kind) {
    case "response": {
      const response = outcome.response;
      if (response === undefined || !options.retryStatuses.includes(response.status)) {
        traceFinalStatus(call, response);
        return { kind: "final", response };
      }
      return readErrorBody(response, scope.signal).then((body): AttemptVerdict => {
        const retryAfterMs = readRetryAfter(response.headers);
        const error = statusError(response, body, { clientRequestId: request.clientRequestId, attempts: attempt, retryAfterMs });
        return { kind: "failure", failure: { reason: "status", error, response } };
      });
    }
    case "aborted": {
      if (!scope.timedOut) return { kind: "end", end: stopShort(call, undefined, scope.deadlineExpired) };
      const error = new AttemptTimeoutError(options.attemptTimeoutMs, { clientRequestId: request.clientRequestId, attempts: attempt });
      return { kind: "failure", failure: { reason: "attempt-timeout", error } };
    }
    case "threw": {
      const error = networkError(outcome.error, call);
      // Not a network failure (a bug, a redirect refusal, a full throttle queue...): it is not ours to
      // retry or wrap, but the trace still names it (the official GraphRequest flattens it).
      if (error === undefined) {
        if (call.trace !== undefined && call.trace.error === undefined) call.trace.error = outcome.error;
        return { kind: "end", end: { kind: "error", error: outcome.error } };
      }
      return { kind: "failure", failure: { reason: "network", error } };
    }
  }
}

/**
 * Records a final error status (>= 400) in the trace as a typed error, at once and without reading
 * the body (the caller reads it); the body guard adds Graph's code and message from what the caller
 * reads (see `guardAttemptBody`). Only when someone asked for a trace.
 */
function traceFinalStatus(call: RetryCall, response: Response | undefined): void {
  if (call.trace === undefined || response === undefined || response.status < 400) return;
  const retryAfterMs = readRetryAfter(response.headers);
  const error = statusError(response, null, { clientRequestId: call.request.clientRequestId, attempts: call.attempt, retryAfterMs });
  error.causes = [...call.causes];
  call.trace.error = error;
}

/** Wraps what `fetch` threw into a `GraphNetworkError`, or `undefined` for an error that is no network failure. */
function networkError(error: unknown, call: RetryCall): GraphNetworkError | undefined {
  const kind = classifyNetworkError(error);
  if (kind === undefined) return undefined;
  if (error instanceof GraphNetworkError) return error;
  const { method, url, clientRequestId } = call.request;
  return new GraphNetworkError(kind, `Network failure (${kind}) on ${method} ${url}: ${redactSecrets(rootMessage(error))}${networkFailureHint(kind)}`, {
    clientRequestId,
    attempts: call.attempt,
    cause: error,
  });
}

/** The message of the innermost cause, e.g. "other side closed" under undici's "fetch failed". */
function rootMessage(error: unknown): string {
  let current: unknown = error;
  let message = "fetch failed";
  for (let depth = 0; depth < 10 && current instanceof Error; depth++) {
    message = current.message || message;
    current = (current as { cause?: unknown }).cause;
  }
  return message;
}
