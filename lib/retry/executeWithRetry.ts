import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { AttemptTimeoutError } from "../errors/AttemptTimeoutError.js";
import { DeadlineExceededError } from "../errors/DeadlineExceededError.js";
import { GraphNetworkError } from "../errors/GraphNetworkError.js";
import type { GraphRequestError } from "../errors/GraphRequestError.js";
import { RetryAfterTooLongError } from "../errors/RetryAfterTooLongError.js";
import { getRequestTrace } from "../chain/RequestTrace.js";
import { getMiddlewareOption } from "../chain/middlewareOption.js";
import { OrderedWriteOption } from "../chain/OrderedWriteOption.js";
import { abortableDelay } from "../chain/abortableDelay.js";
import type { Backoff } from "./backoff/Backoff.js";
import { createBackoff } from "./backoff/createBackoff.js";
import { classifyNetworkError, networkFailureHint } from "../chain/classifyNetworkError.js";
import { describeRequest } from "./describeRequest.js";
import type { ListenerSet } from "../chain/listenerSet.js";
import { readRetryAfter } from "../chain/readRetryAfter.js";
import { redactSecrets } from "../chain/redactSecrets.js";
import { publishWaitLimit } from "../chain/waitLimit.js";
import type { ResilientRetryOptions } from "./ResilientRetryOptions.js";
import type { GiveUpEvent, GiveUpReason, RetryEvent, RetryReason } from "./retryEvents.js";
import { sendAttempt } from "./sendAttempt.js";
import { discardResponse, readErrorBody, statusError } from "./statusError.js";
import { createTimedAbortScope } from "./timedAbortScope.js";
import { guardAttemptBody } from "./guardAttemptBody.js";
import { networkRetryCapReached } from "./networkRetryCap.js";

/** What one call of the retry loop runs with. */
export interface RetryRun {
  /** The middleware below the retry handler. */
  readonly next: Middleware;
  /** The options in force for this request (handler defaults merged with per-request ones). */
  readonly options: Readonly<ResilientRetryOptions>;
  /** The handler's `onRetry` listeners. */
  readonly retryListeners: ListenerSet<RetryEvent>;
  /** The handler's `onGiveUp` listeners. */
  readonly giveUpListeners: ListenerSet<GiveUpEvent>;
}

/**
 * Statuses by which the server refuses a request without processing it, so any method may be
 * repeated. After a 502, 504 (or another configured status) or a network failure the request
 * may have been applied, so only idempotent requests are repeated.
 */
const REFUSED_STATUSES: ReadonlySet<number> = new Set([429, 503]);

/** A failed attempt that may be retried. */
interface Failure {
  readonly reason: RetryReason;
  readonly error: GraphRequestError;
  readonly response?: Response;
}

/** The call ends: either with a response left in the context, or with an error thrown. */
class Stop {
  constructor(readonly outcome: { readonly response: Response } | { readonly error: unknown }) {}
}

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
  const { options } = run;
  const callerSignal = context.options?.signal ?? undefined;
  if (callerSignal?.aborted) throw callerSignal.reason;
  const trace = getRequestTrace(context);
  const request = describeRequest(context);
  const deadline = createTimedAbortScope(callerSignal, options.deadlineMs);
  const startedAt = performance.now();
  getMiddlewareOption(context, OrderedWriteOption)?.setDeadline(startedAt + options.deadlineMs);
  const causes: GraphRequestError[] = [];
  let backoff: Backoff | undefined;
  let attempt = 0;
  let last: Failure | undefined;

  const base = { clientRequestId: request.clientRequestId, method: request.method, url: request.url };
  const statusOf = (failure: Failure | undefined): number | null => (failure?.response === undefined ? null : failure.response.status);
  const requestIdOf = (failure: Failure | undefined): string | null => failure?.error.requestId ?? null;

  /** Emits onGiveUp, records the error, and builds the Stop that ends the call. */
  const giveUp = (reason: GiveUpReason, failure: Failure | undefined, error?: unknown): Stop => {
    let thrown = error;
    if (thrown === undefined && failure !== undefined && failure.response === undefined) {
      failure.error.attempts = attempt;
      failure.error.causes = [...causes];
      thrown = failure.error;
    }
    run.giveUpListeners.emit(
      { ...base, attempts: attempt, reason, status: statusOf(failure), requestId: requestIdOf(failure), error: thrown ?? failure?.error },
      options.onGiveUp,
    );
    if (thrown === undefined && failure?.response !== undefined) return new Stop({ response: failure.response });
    if (failure?.response !== undefined) discardResponse(failure.response);
    if (trace !== undefined) trace.error = thrown;
    return new Stop({ error: thrown });
  };
  const deadlineError = (): DeadlineExceededError =>
    new DeadlineExceededError(options.deadlineMs, {
      clientRequestId: request.clientRequestId,
      attempts: attempt,
      causes: last === undefined || causes.includes(last.error) ? [...causes] : [...causes, last.error],
      cause: last?.error,
    });
  /** The Stop for an aborted attempt or wait: the deadline, or the caller's abort. */
  const aborted = (failure: Failure | undefined): Stop =>
    deadline.timedOut ? giveUp("deadline", failure, deadlineError()) : giveUp("aborted", failure, callerSignal?.reason);

  try {
    for (;;) {
      attempt += 1;
      if (trace !== undefined) trace.attempts = attempt;
      const scope = createTimedAbortScope(deadline.signal, options.attemptTimeoutMs);
      publishWaitLimit(scope.signal, { maxRetryAfterMs: options.maxRetryAfterMs, deadlineMs: options.deadlineMs, startedAt });
      let delayMs: number;
      let failure: Failure;
      try {
        const outcome = await sendAttempt(context, run.next, scope, attempt);
        if (outcome.kind === "aborted" && !scope.timedOut) throw aborted(undefined);
        if (outcome.kind === "response") {
          // The body is read after this handler returns: the same clocks keep covering it.
          const response = guardAttemptBody(outcome.response, {
            context,
            attempt: scope,
            deadline,
            callerSignal,
            options,
            trace,
            details: () => ({ clientRequestId: request.clientRequestId, attempts: attempt, causes: [...causes] }),
            deadlineError,
          });
          if (response === undefined || !options.retryStatuses.includes(response.status)) {
            context.response = response;
            return;
          }
          const body = await readErrorBody(response, scope.signal);
          const retryAfterMs = readRetryAfter(response.headers);
          const error = statusError(response, body, { clientRequestId: request.clientRequestId, attempts: attempt, retryAfterMs });
          failure = { reason: "status", error, response };
        } else if (outcome.kind === "aborted") {
          const error = new AttemptTimeoutError(options.attemptTimeoutMs, { clientRequestId: request.clientRequestId, attempts: attempt });
          failure = { reason: "attempt-timeout", error };
        } else {
          failure = { reason: "network", error: networkError(outcome.error, request.method, request.url, request.clientRequestId, attempt) };
        }
        last = failure;
        delayMs = await decide(failure);
      } finally {
        scope.dispose();
      }
      if (failure.response !== undefined) discardResponse(failure.response);
      causes.push(failure.error);
      trace?.causes.push(failure.error);
      // The timer starts before listeners run, so a test can clock.tick(delayMs) inside onRetry.
      const wait = abortableDelay(delayMs, deadline.signal);
      run.retryListeners.emit(
        {
          ...base,
          attempt,
          delayMs,
          delaySource: failure.error.retryAfterMs === undefined ? "backoff" : "retry-after",
          reason: failure.reason,
          status: statusOf(failure),
          requestId: requestIdOf(failure),
          error: failure.error,
        },
        options.onRetry,
      );
      try {
        await wait;
      } catch {
        throw aborted(undefined);
      }
      if (trace !== undefined) trace.waitedMs += delayMs;
    }
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    if ("error" in error.outcome) throw error.outcome.error;
    context.response = error.outcome.response;
  } finally {
    deadline.dispose();
  }

  /** Returns the delay before retrying `failure`, or throws the Stop that ends the call. */
  async function decide(failure: Failure): Promise<number> {
    if (deadline.signal.aborted) throw aborted(failure);
    if (!request.replayable) throw giveUp("not-replayable", failure);
    if (!request.idempotent && !(failure.response !== undefined && REFUSED_STATUSES.has(failure.response.status))) {
      throw giveUp("not-idempotent", failure);
    }
    if (!(attempt <= options.maxRetries) || networkRetryCapReached(failure.error, causes)) throw giveUp("max-retries", failure);
    const serverDelayMs = failure.error.retryAfterMs;
    if (serverDelayMs !== undefined && serverDelayMs > options.maxRetryAfterMs) {
      const { error } = failure;
      const tooLong = new RetryAfterTooLongError(error.statusCode, serverDelayMs, options.maxRetryAfterMs, {
        code: error.code,
        requestId: error.requestId,
        clientRequestId: request.clientRequestId,
        date: error.date,
        body: error.body,
        attempts: attempt,
        causes: [...causes],
        cause: error,
      });
      throw giveUp("retry-after-too-long", failure, tooLong);
    }
    let delayMs = serverDelayMs;
    if (delayMs === undefined) {
      backoff = backoff === undefined ? createBackoff(options.backoff, settings(options)) : backoff.next();
      delayMs = backoff.delayMs;
    }
    if (performance.now() - startedAt + delayMs >= options.deadlineMs) throw giveUp("deadline", failure, deadlineError());
    if (options.shouldRetry !== undefined) {
      const verdict = await options.shouldRetry({
        ...base,
        attempt,
        delayMs,
        reason: failure.reason,
        status: statusOf(failure),
        requestId: requestIdOf(failure),
        error: failure.error,
      });
      if (verdict === false) throw giveUp("vetoed", failure);
      if (deadline.signal.aborted) throw aborted(failure);
    }
    return delayMs;
  }
}

function settings(options: Readonly<ResilientRetryOptions>): { baseMs: number; capMs: number; random: () => number } {
  return { baseMs: options.baseDelayMs, capMs: options.maxDelayMs, random: options.random };
}

/** Wraps what `fetch` threw into a `GraphNetworkError`, or rethrows an error that is no network failure. */
function networkError(error: unknown, method: string, url: string, clientRequestId: string, attempt: number): GraphNetworkError {
  const kind = classifyNetworkError(error);
  if (kind === undefined) throw error;
  if (error instanceof GraphNetworkError) return error;
  return new GraphNetworkError(kind, `Network failure (${kind}) on ${method} ${url}: ${redactSecrets(rootMessage(error))}${networkFailureHint(kind)}`, {
    clientRequestId,
    attempts: attempt,
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
