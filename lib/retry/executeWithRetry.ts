import type { Context } from "@microsoft/microsoft-graph-client";
import { getMiddlewareOption } from "../chain/middlewareOption.js";
import { OrderedWriteOption } from "../chain/OrderedWriteOption.js";
import { decideRetry, type RetryDecision } from "./decideRetry.js";
import { deadlineError, stopShort } from "./giveUp.js";
import { guardAttemptBody, readAttemptBodyAhead, type AttemptBodyClocks } from "./guardAttemptBody.js";
import { judgeAttempt } from "./judgeAttempt.js";
import { pastDeadline, startRetryCall, type CallEnd, type Failure, type RetryCall, type RetryRun } from "./retryCall.js";
import { sendAttempt, type AttemptOutcome } from "./sendAttempt.js";
import { createTimedAbortScope, type TimedAbortScope } from "./timedAbortScope.js";
import { waitBeforeRetry } from "./waitBeforeRetry.js";

export type { RetryRun } from "./retryCall.js";

/**
 * Runs a request through `run.next`, retrying transient failures: 429 and 503 for any method;
 * other retry statuses (502, 504), network failures and attempt timeouts only when a repeat is
 * safe (an idempotent method, or marked with `IdempotentRequestOption`). Honours
 * `Retry-After`, the backoff, `maxRetries`, `deadlineMs`, `attemptTimeoutMs` and the caller's
 * `AbortSignal`, and records attempts, causes, waits and the final error in the `RequestTrace`.
 * Leaves the last response in `context.response`, or throws a typed error (or the abort reason).
 * @param context - The middleware context.
 * @param run - The next middleware, options and listeners.
 */
export async function executeWithRetry(context: Context, run: RetryRun): Promise<void> {
  const callerSignal = context.options?.signal;
  if (callerSignal?.aborted === true) throw callerSignal.reason;
  const call = startRetryCall(context, run);
  // An ordered write holds its entity's queue until its detached attempts settle, at most until the deadline.
  getMiddlewareOption(context, OrderedWriteOption)?.setDeadline(call.deadline.at);
  const end = await runAttempts(context, call);
  if (end.kind === "error") throw end.error;
  // The one exit of a response: whatever the caller reads next goes through here.
  context.response = end.response;
}

/** Attempt, judge, decide, wait; until a response is final or the call ends otherwise. */
async function runAttempts(context: Context, call: RetryCall): Promise<CallEnd> {
  for (;;) {
    if (pastDeadline(call)) return stopShort(call, undefined, true);
    call.attempt += 1;
    if (call.trace !== undefined) call.trace.attempts = call.attempt;
    const scope = createTimedAbortScope(call.callerSignal, call.options.attemptTimeoutMs, undefined, call.deadline);
    let decision: RetryDecision;
    let failure: Failure;
    try {
      const sent = guardBody(context, call, await sendAttempt(context, call.next, scope, call.attempt, call.waitLimit), scope);
      const outcome = sent instanceof Promise ? await sent : sent;
      const judged = judgeAttempt(call, outcome, scope);
      const verdict = judged instanceof Promise ? await judged : judged;
      if (verdict.kind === "final") return { kind: "response", response: verdict.response };
      if (verdict.kind === "end") return verdict.end;
      failure = verdict.failure;
      decision = await decideRetry(call, failure);
    } finally {
      scope.dispose();
    }
    if (decision.kind === "stop") return decision.end;
    const stopped = await waitBeforeRetry(call, failure, decision.delayMs);
    if (stopped !== undefined) return stopped;
  }
}

/**
 * Guards the body of an attempt's response with the call's clocks: a small final answer is read
 * now, inside the attempt (a request safe to repeat whose read runs out of the attempt's time or
 * loses its connection is a failed attempt, judged like one); any other body is read after this
 * handler returned (by the official `GraphRequest` or the caller), and the same clocks keep
 * covering it. Returns at once, without a promise, when there is nothing to read now.
 */
function guardBody(context: Context, call: RetryCall, outcome: AttemptOutcome, scope: TimedAbortScope): AttemptOutcome | Promise<AttemptOutcome> {
  if (outcome.kind !== "response" || outcome.response === undefined) return outcome;
  const clocks: AttemptBodyClocks = {
    context,
    attempt: scope,
    deadlineAt: call.deadline.at,
    callerSignal: call.callerSignal,
    options: call.options,
    trace: call.trace,
    details: () => ({ clientRequestId: call.request.clientRequestId, attempts: call.attempt, causes: [...call.causes] }),
    deadlineError: () => deadlineError(call),
  };
  const readAhead = readAttemptBodyAhead(outcome.response, clocks, () => call.request.replayable && call.request.idempotent);
  if (readAhead === undefined) return { kind: "response", response: guardAttemptBody(outcome.response, clocks) };
  return readAhead;
}
