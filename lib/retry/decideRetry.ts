import { RetryAfterTooLongError } from "../errors/RetryAfterTooLongError.js";
import { networkRetryCapReached } from "./networkRetryCap.js";
import { askShouldRetry } from "./askShouldRetry.js";
import { createBackoff } from "./backoff/createBackoff.js";
import { deadlineError, giveUp, stopShort } from "./giveUp.js";
import { pastDeadline, type CallEnd, type Failure, type RetryCall } from "./retryCall.js";

/**
 * Statuses by which the server refuses a request without processing it, so any method may be
 * repeated. After a 502, 504 (or another configured status) or a network failure the request
 * may have been applied, so only idempotent requests are repeated.
 */
const REFUSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** Whether to retry a failure: after how long, or how the call ends instead. */
export type RetryDecision = { readonly kind: "retry"; readonly delayMs: number } | { readonly kind: "stop"; readonly end: CallEnd };

/**
 * Decides whether `failure` is retried, in order: the caller's abort or the deadline, a body that
 * cannot be sent again, a repeat that is not safe, `maxRetries`, a `Retry-After` above
 * `maxRetryAfterMs`, a wait that would not fit in the deadline, and finally `shouldRetry`.
 * @param call - The call (its backoff advances when the delay comes from it).
 * @param failure - The failed attempt.
 */
export async function decideRetry(call: RetryCall, failure: Failure): Promise<RetryDecision> {
  const { options, request, attempt } = call;
  const stop = (end: CallEnd): RetryDecision => ({ kind: "stop", end });
  const cut = cutShort(call);
  if (cut !== undefined) return stop(stopShort(call, failure, cut === "deadline"));
  if (!request.replayable) return stop(giveUp(call, "not-replayable", failure));
  if (!request.idempotent && !(failure.response !== undefined && REFUSED_STATUSES.has(failure.response.status))) {
    return stop(giveUp(call, "not-idempotent", failure));
  }
  if (!(attempt <= options.maxRetries) || networkRetryCapReached(failure.error, call.causes)) return stop(giveUp(call, "max-retries", failure));
  const serverDelayMs = failure.error.retryAfterMs;
  if (serverDelayMs !== undefined && serverDelayMs > options.maxRetryAfterMs) {
    return stop(giveUp(call, "retry-after-too-long", failure, retryAfterTooLong(call, failure, serverDelayMs)));
  }
  const delayMs = serverDelayMs ?? nextBackoffMs(call);
  if (performance.now() - call.startedAt + delayMs >= options.deadlineMs) return stop(giveUp(call, "deadline", failure, deadlineError(call)));
  if (options.shouldRetry === undefined) return { kind: "retry", delayMs };
  const answer = await askShouldRetry(call, failure, delayMs);
  if (answer.kind === "threw") return stop(giveUp(call, "vetoed", failure, answer.error));
  if (answer.kind === "cut-short") return stop(stopShort(call, failure, answer.deadline));
  if (!answer.retry) return stop(giveUp(call, "vetoed", failure));
  return { kind: "retry", delayMs };
}

/** Whether the caller aborted or the deadline passed, and which. */
function cutShort(call: RetryCall): "aborted" | "deadline" | undefined {
  if (pastDeadline(call)) return "deadline";
  return call.callerSignal?.aborted === true ? "aborted" : undefined;
}

function nextBackoffMs(call: RetryCall): number {
  const { options } = call;
  call.backoff =
    call.backoff === undefined
      ? createBackoff(options.backoff, { baseMs: options.baseDelayMs, capMs: options.maxDelayMs, random: options.random })
      : call.backoff.next();
  return call.backoff.delayMs;
}

function retryAfterTooLong(call: RetryCall, failure: Failure, serverDelayMs: number): RetryAfterTooLongError {
  const { error } = failure;
  return new RetryAfterTooLongError(error.statusCode, serverDelayMs, call.options.maxRetryAfterMs, {
    code: error.code,
    requestId: error.requestId,
    clientRequestId: call.request.clientRequestId,
    date: error.date,
    body: error.body,
    attempts: call.attempt,
    causes: [...call.causes],
    cause: error,
  });
}
