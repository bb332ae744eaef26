import type { Context } from "@microsoft/microsoft-graph-client";
import { decideRetry, type RetryDecision } from "./decideRetry.js";
import { stopShort } from "./giveUp.js";
import { judgeAttempt } from "./judgeAttempt.js";
import { pastDeadline, startRetryCall, type CallEnd, type Failure, type RetryCall, type RetryRun } from "./retryCall.js";
import { sendAttempt } from "./sendAttempt.js";
import { createTimedAbortScope } from "./timedAbortScope.js";
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
  const end = await runAttempts(context, startRetryCall(context, run));
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
      const outcome = await sendAttempt(context, call.next, scope, call.attempt);
      const verdict = await judgeAttempt(call, outcome, scope);
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
