import type { Middleware } from "@microsoft/microsoft-graph-client";
import type { Context } from "@microsoft/microsoft-graph-client";
import { getRequestTrace, type RequestTrace } from "../chain/RequestTrace.js";
import type { ListenerSet } from "../chain/listenerSet.js";
import type { WaitLimit } from "../chain/waitLimit.js";
import type { GraphRequestError } from "../errors/GraphRequestError.js";
import type { Backoff } from "./backoff/Backoff.js";
import { describeRequest, type RequestDescription } from "./describeRequest.js";
import type { ResilientRetryOptions } from "./ResilientRetryOptions.js";
import type { GiveUpEvent, RetryEvent, RetryEventBase, RetryReason } from "./retryEvents.js";
import type { StockShouldRetry } from "./stockRetryOptions.js";
import type { ScopeDeadline } from "./timedAbortScope.js";

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
  /** The stock `RetryHandlerOptions.shouldRetry` bound to this request, if the stock options were given. */
  readonly stockShouldRetry?: StockShouldRetry | undefined;
}

/** A failed attempt that may be retried. */
export interface Failure {
  readonly reason: RetryReason;
  readonly error: GraphRequestError;
  /** The error response, for status failures; unread (its body was read through a clone). */
  readonly response?: Response;
}

/** How a call ends: a response left for the caller, or an error thrown to it. */
export type CallEnd = { readonly kind: "response"; readonly response: Response | undefined } | { readonly kind: "error"; readonly error: unknown };

/** The state of one logical call across its attempts; the steps of the retry loop read and update it. */
export interface RetryCall extends RetryRun {
  /** The caller's signal, if any. */
  readonly callerSignal: AbortSignal | undefined;
  /** The caller's trace, if any. */
  readonly trace: RequestTrace | undefined;
  /** Method, redacted URL, client-request-id and repeat safety. */
  readonly request: RequestDescription;
  /** When the call started (`performance.now()`). */
  readonly startedAt: number;
  /** The end of `deadlineMs`, carried by every attempt's timer. */
  readonly deadline: ScopeDeadline;
  /** How long this call may wait for the server, published with every attempt for a throttle below. */
  readonly waitLimit: WaitLimit;
  /** The failures retried so far, oldest first. */
  readonly causes: GraphRequestError[];
  /** Attempts started so far. */
  attempt: number;
  /** The latest failure, retried or not. */
  last: Failure | undefined;
  /** The backoff of the latest backoff wait. */
  backoff: Backoff | undefined;
}

/**
 * Starts the bookkeeping of one call: reads the request (giving it a `client-request-id`) and
 * fixes the deadline.
 * @param context - The middleware context.
 * @param run - The next middleware, options and listeners.
 */
export function startRetryCall(context: Context, run: RetryRun): RetryCall {
  const startedAt = performance.now();
  return {
    next: run.next,
    options: run.options,
    retryListeners: run.retryListeners,
    giveUpListeners: run.giveUpListeners,
    stockShouldRetry: run.stockShouldRetry,
    callerSignal: context.options?.signal ?? undefined,
    trace: getRequestTrace(context),
    request: describeRequest(context),
    startedAt,
    deadline: { at: startedAt + run.options.deadlineMs, reason: timeoutReason },
    waitLimit: { maxRetryAfterMs: run.options.maxRetryAfterMs, deadlineMs: run.options.deadlineMs, startedAt },
    causes: [],
    attempt: 0,
    last: undefined,
    backoff: undefined,
  };
}

/**
 * Whether the call's deadline has passed.
 * @param call - The call.
 */
export function pastDeadline(call: RetryCall): boolean {
  return performance.now() >= call.deadline.at;
}

/**
 * The fields every event of this call shares, for a failure (or none).
 * @param call - The call.
 * @param failure - The failure the event is about.
 */
export function eventBase(call: RetryCall, failure: Failure | undefined): RetryEventBase {
  const { request } = call;
  return {
    clientRequestId: request.clientRequestId,
    method: request.method,
    url: request.url,
    status: failure?.response === undefined ? null : failure.response.status,
    requestId: failure?.error.requestId ?? null,
  };
}

function timeoutReason(): unknown {
  return new DOMException("The operation timed out", "TimeoutError");
}
