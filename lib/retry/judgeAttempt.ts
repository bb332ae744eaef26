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
export async function judgeAttempt(call: RetryCall, outcome: AttemptOutcome, scope: TimedAbortScope): Promise<AttemptVerdict> {
  const failure = await failureOf(call, outcome, scope);
  if (failure.kind === "failure") call.last = failure.failure;
  return failure;
}

async function failureOf(call: RetryCall, outcome: AttemptOutcome, scope: TimedAbortScope): Promise<AttemptVerdict> {
  const { request, options, attempt } = call;
  switch (outcome.kind) {
    case "response": {
      const response = outcome.response;
      if (response === undefined || !options.retryStatuses.includes(response.status)) return { kind: "final", response };
      const body = await readErrorBody(response, scope.signal);
      const retryAfterMs = readRetryAfter(response.headers);
      const error = statusError(response, body, { clientRequestId: request.clientRequestId, attempts: attempt, retryAfterMs });
      return { kind: "failure", failure: { reason: "status", error, response } };
    }
    case "aborted": {
      if (!scope.timedOut) return { kind: "end", end: stopShort(call, undefined, scope.deadlineExpired) };
      const error = new AttemptTimeoutError(options.attemptTimeoutMs, { clientRequestId: request.clientRequestId, attempts: attempt });
      return { kind: "failure", failure: { reason: "attempt-timeout", error } };
    }
    case "threw": {
      const error = networkError(outcome.error, call);
      // Not a network failure (a bug, an auth error...): it is not ours to retry or wrap.
      if (error === undefined) return { kind: "end", end: { kind: "error", error: outcome.error } };
      return { kind: "failure", failure: { reason: "network", error } };
    }
  }
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
