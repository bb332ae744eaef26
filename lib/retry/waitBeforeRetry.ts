import { abortableDelay } from "../chain/abortableDelay.js";
import { stopShort } from "./giveUp.js";
import { eventBase, type CallEnd, type Failure, type RetryCall } from "./retryCall.js";
import { discardResponse } from "./statusError.js";

/**
 * Records a failure that will be retried (frees its response, adds it to the causes and the
 * trace), emits `onRetry`, and waits `delayMs`, or less if the caller aborts. The wait needs no
 * deadline: {@link decideRetry} only retries when the wait ends before it.
 * @param call - The call.
 * @param failure - The failure being retried.
 * @param delayMs - The wait.
 * @returns `undefined` once waited, or how the call ends when the caller aborted.
 */
export async function waitBeforeRetry(call: RetryCall, failure: Failure, delayMs: number): Promise<CallEnd | undefined> {
  if (failure.response !== undefined) discardResponse(failure.response);
  call.causes.push(failure.error);
  call.trace?.causes.push(failure.error);
  // The timer starts before listeners run, so a test can clock.tick(delayMs) inside onRetry.
  const wait = abortableDelay(delayMs, call.callerSignal);
  call.retryListeners.emit(
    {
      ...eventBase(call, failure),
      attempt: call.attempt,
      delayMs,
      delaySource: failure.error.retryAfterMs === undefined ? "backoff" : "retry-after",
      reason: failure.reason,
      error: failure.error,
    },
    call.options.onRetry,
  );
  try {
    await wait;
  } catch {
    return stopShort(call, undefined, false);
  }
  if (call.trace !== undefined) call.trace.waitedMs += delayMs;
  return undefined;
}
