import { DeadlineExceededError } from "../errors/DeadlineExceededError.js";
import { eventBase, type CallEnd, type Failure, type RetryCall } from "./retryCall.js";
import type { GiveUpReason } from "./retryEvents.js";
import { discardResponse } from "./statusError.js";

/**
 * Ends the call without a further retry: emits `onGiveUp`, and decides what the caller gets. A
 * status failure with no other error hands its (unread) response back, as the stock handler does;
 * otherwise the call throws `error`, or the failure's own error (completed with attempts and
 * causes), and the trace records it.
 * @param call - The call.
 * @param reason - Why it stops.
 * @param failure - The failure it stops on, if any.
 * @param error - The error to end with instead of the failure's own.
 */
export function giveUp(call: RetryCall, reason: GiveUpReason, failure: Failure | undefined, error?: unknown): CallEnd {
  let thrown = error;
  if (thrown === undefined && failure !== undefined && failure.response === undefined) {
    failure.error.attempts = call.attempt;
    failure.error.causes = [...call.causes];
    thrown = failure.error;
  }
  call.giveUpListeners.emit(
    { ...eventBase(call, failure), attempts: call.attempt, reason, error: thrown ?? failure?.error },
    call.options.onGiveUp,
  );
  if (thrown === undefined && failure?.response !== undefined) return { kind: "response", response: failure.response };
  if (failure?.response !== undefined) discardResponse(failure.response);
  if (call.trace !== undefined) call.trace.error = thrown;
  return { kind: "error", error: thrown };
}

/**
 * Ends a call whose attempt, wait or `shouldRetry` was cut short: by the deadline
 * (`DeadlineExceededError`), or else by the caller's signal (its reason).
 * @param call - The call.
 * @param failure - The failure being handled, if any.
 * @param deadline - Whether the deadline is what cut it short.
 */
export function stopShort(call: RetryCall, failure: Failure | undefined, deadline: boolean): CallEnd {
  return deadline ? giveUp(call, "deadline", failure, deadlineError(call)) : giveUp(call, "aborted", failure, call.callerSignal?.reason);
}

/**
 * The error of a call that ran out of `deadlineMs`, with every failure so far as causes.
 * @param call - The call.
 */
export function deadlineError(call: RetryCall): DeadlineExceededError {
  const { last, causes } = call;
  return new DeadlineExceededError(call.options.deadlineMs, {
    clientRequestId: call.request.clientRequestId,
    attempts: call.attempt,
    causes: last === undefined || causes.includes(last.error) ? [...causes] : [...causes, last.error],
    cause: last?.error,
  });
}
