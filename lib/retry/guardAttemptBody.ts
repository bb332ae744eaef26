import type { Context } from "@microsoft/microsoft-graph-client";
import type { GraphRequestErrorInit } from "../errors/GraphRequestError.js";
import { AttemptTimeoutError } from "../errors/AttemptTimeoutError.js";
import type { RequestTrace } from "../chain/RequestTrace.js";
import { bufferedResponse, type BufferedContent } from "../chain/bufferedResponse.js";
import { guardResponseBody, type ResponseBodyGuard } from "../chain/guardResponseBody.js";
import { ERROR_BODY_READ_BYTES } from "../chain/readBodyText.js";
import { classifyNetworkError } from "../chain/classifyNetworkError.js";
import { readRetryAfter } from "../chain/readRetryAfter.js";
import { GraphRequestError } from "../errors/GraphRequestError.js";
import type { AttemptOutcome } from "./sendAttempt.js";
import { statusError } from "./statusError.js";
import { responseTooLargeError } from "../chain/responseTooLarge.js";
import type { ResilientRetryOptions } from "./ResilientRetryOptions.js";
import { createTimedAbortScope, type TimedAbortScope } from "./timedAbortScope.js";

/** The clocks and details of the attempt whose response is guarded. */
export interface AttemptBodyClocks {
  /** The caller's context: the response handed up is the one left in it. */
  readonly context: Context;
  /** The attempt's scope (its time left is the body's attempt clock). */
  readonly attempt: TimedAbortScope;
  /** When the call's deadline ends (`performance.now()` ms). */
  readonly deadlineAt: number;
  /** The caller's signal, if any. */
  readonly callerSignal: AbortSignal | undefined;
  /** The options in force. */
  readonly options: Readonly<Pick<ResilientRetryOptions, "attemptTimeoutMs" | "maxResponseBytes" | "retryStatuses">>;
  /** Where the typed error of the response handed up is recorded, because the official `GraphRequest` flattens it. */
  readonly trace: RequestTrace | undefined;
  /** Details of the call when an error is raised (client-request-id, attempts, causes). */
  readonly details: () => GraphRequestErrorInit;
  /** Makes the error for the deadline. */
  readonly deadlineError: () => unknown;
}

/**
 * Guards the body of an attempt's response with the call's clocks, so reading it (by the retry
 * handler, the official `GraphRequest` or the caller) ends with `AttemptTimeoutError` when the
 * attempt's time runs out, `DeadlineExceededError` at the deadline, or the caller's abort reason,
 * and with a `ResponseTooLarge` error past `maxResponseBytes` (see that option for which bodies
 * are capped). The clocks keep their due times from the attempt; they are watched from the first
 * read of the body until it is done with.
 * @param response - The attempt's response, or `undefined`.
 * @param clocks - The attempt's clocks and details.
 */
export function guardAttemptBody(response: Response | undefined, clocks: AttemptBodyClocks): Response | undefined {
  if (response === undefined) return undefined;
  const attemptLeftMs = clocks.attempt.timeLeftMs;
  const deadlineLeftMs = Math.max(0, clocks.deadlineAt - performance.now());
  const dueAt = performance.now() + Math.min(attemptLeftMs, deadlineLeftMs);
  // Made on the first read, so a body nobody reads holds no timer; it ends the body through a
  // callback, so it needs no AbortController of its own.
  let scope: TimedAbortScope | undefined;
  const watch = (abort: () => void): (() => void) => {
    scope = createTimedAbortScope(clocks.callerSignal, Math.max(0, dueAt - performance.now()), undefined, undefined, abort);
    const watched = scope;
    return () => watched.dispose();
  };
  const { options, trace } = clocks;
  const record = (error: unknown): unknown => {
    // Only for the response handed up: one the handler retries (after reading its error body) is not the call's outcome.
    if (trace !== undefined && clocks.context.response === guarded) trace.error = error;
    return error;
  };
  // The guard calls these only on reads, after it returned.
  const guarded = guardResponseBody(response, {
    watch,
    abortError: () => {
      if (scope?.timedOut !== true) return clocks.callerSignal?.reason;
      return record(attemptLeftMs <= deadlineLeftMs ? new AttemptTimeoutError(options.attemptTimeoutMs, clocks.details()) : clocks.deadlineError());
    },
    maxBytes: isReadWhole(response) ? options.maxResponseBytes : Infinity,
    tooLargeError: () => record(responseTooLargeError(response, options.maxResponseBytes, clocks.details())),
    ...errorBodyTap(response, trace, (bodyText) => {
      // Read to the end as the caller's: the trace's body-less status error gains Graph's code and message.
      const current = trace?.error;
      if (!(current instanceof GraphRequestError) || current.statusCode !== response.status || current.body !== null) return;
      const details = clocks.details();
      const error = statusError(response, bodyText, { clientRequestId: details.clientRequestId ?? null, attempts: details.attempts ?? 1, retryAfterMs: readRetryAfter(response.headers) });
      error.causes = details.causes ?? [];
      record(error);
    }),
  });
  return guarded;
}

/**
 * The largest body read ahead: Graph's API answers are a few KB; a larger body keeps streaming
 * through {@link guardAttemptBody}.
 */
export const READ_AHEAD_MAX_BYTES = 1024 * 1024;

/**
 * Reads a small final answer's body inside the attempt, under the attempt's scope (its timeout,
 * the deadline, the caller's signal), and hands on a response that serves it from memory; or
 * `undefined` when the body is not one to read ahead, and {@link guardAttemptBody} guards it.
 *
 * Read ahead: a 2xx JSON or plain-text answer that is final (its status is not retried), not
 * encoded, with a `Content-Length` of at most {@link READ_AHEAD_MAX_BYTES} and `maxResponseBytes`:
 * the bodies the official client and this package read whole anyway. Why: a guarded stream and a
 * second `Response` per request cost more than the whole read. Anything else (downloads, chunked
 * or large bodies, error answers) streams as before.
 *
 * The body is part of the attempt, so a request that is safe to repeat is repeated when the attempt
 * runs out of time while reading it, or the connection fails under it (a server that sends the
 * headers and then stalls or drops): the outcome is then the attempt's timeout or the network
 * failure, judged like one before the headers, and nothing is recorded. Otherwise the caller sees
 * what the guard would have given: a read that fails with `AttemptTimeoutError`,
 * `DeadlineExceededError` (both recorded in the trace), the caller's abort reason, or the body's own
 * failure, at the same moment.
 * @param response - The attempt's response.
 * @param clocks - The attempt's clocks and details.
 * @param repeatable - Whether the request may be sent again after a failure it may have been applied
 *   in (asked only when the read fails).
 */
export function readAttemptBodyAhead(response: Response | undefined, clocks: AttemptBodyClocks, repeatable: () => boolean): Promise<AttemptOutcome> | undefined {
  if (response === undefined || !canReadAhead(response, clocks.options)) return undefined;
  const body = response.body as ReadableStream<Uint8Array>;
  const scope = clocks.attempt;
  const { options, trace } = clocks;
  const record = (error: unknown): unknown => {
    if (trace !== undefined) trace.error = error;
    return error;
  };
  const abortError = (): unknown => {
    if (scope.timedOut) return record(new AttemptTimeoutError(options.attemptTimeoutMs, clocks.details()));
    if (scope.deadlineExpired) return record(clocks.deadlineError());
    return clocks.callerSignal?.reason;
  };
  // The attempt's own timeout, for a request that may go again: the attempt failed, nothing to hand on.
  const retriedTimeout = (): AttemptOutcome | undefined => (scope.timedOut && repeatable() ? { kind: "aborted" } : undefined);
  if (scope.aborted) {
    void body.cancel().catch(() => undefined);
    return Promise.resolve(retriedTimeout() ?? { kind: "response", response: bufferedResponse(response, { error: abortError() }) });
  }
  const reader = body.getReader();
  return new Promise<AttemptOutcome>((resolve) => {
    const chunks: Uint8Array[] = [];
    let received = 0;
    let ended = false;
    const settle = (outcome: AttemptOutcome): void => {
      if (ended) return;
      ended = true;
      scope.setAbortListener(undefined);
      resolve(outcome);
    };
    const end = (content: BufferedContent): void => settle({ kind: "response", response: bufferedResponse(response, content) });
    // The attempt's own timer ends a stalled or trickling body; the cancel frees the connection.
    scope.setAbortListener(() => {
      void reader.cancel().catch(() => undefined);
      const retried = retriedTimeout();
      if (retried !== undefined) settle(retried);
      else end({ error: abortError() });
    });
    const onChunk = (chunk: ReadableStreamReadResult<Uint8Array>): void => {
      if (ended) return;
      if (chunk.done) {
        end({ bytes: concat(chunks, received) });
        return;
      }
      received += chunk.value.byteLength;
      // The server sent more than it declared (undici normally refuses that first).
      if (received > options.maxResponseBytes) {
        void reader.cancel().catch(() => undefined);
        end({ error: record(responseTooLargeError(response, options.maxResponseBytes, clocks.details())) });
        return;
      }
      chunks.push(chunk.value);
      void reader.read().then(onChunk, onFailure);
    };
    // A connection that failed under the body (reset, closed): judged as a network failure before the headers would be.
    const onFailure = (error: unknown): void => {
      if (classifyNetworkError(error) !== undefined && repeatable()) settle({ kind: "threw", error });
      else end({ error });
    };
    void reader.read().then(onChunk, onFailure);
  });
}

function canReadAhead(response: Response, options: AttemptBodyClocks["options"]): boolean {
  const status = response.status;
  if (status < 200 || status > 299 || status === 204 || status === 205 || options.retryStatuses.includes(status)) return false;
  // The buffered answer extends the global class; a polyfilled response keeps the guard.
  if (typeof Response !== "function" || !(response instanceof Response) || response.body === null || response.bodyUsed) return false;
  const encoding = response.headers.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") return false;
  const declared = response.headers.get("content-length");
  if (declared === null) return false;
  const length = Number(declared);
  return Number.isSafeInteger(length) && length >= 0 && length <= Math.min(READ_AHEAD_MAX_BYTES, options.maxResponseBytes) && isReadWhole(response);
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/**
 * For an error answer someone traces: keeps the first `ERROR_BODY_READ_BYTES` of the body as it is
 * read (no read of its own, so the caller's read is neither delayed nor consumed) and hands them
 * over once the body was read to the end.
 */
function errorBodyTap(
  response: Response,
  trace: RequestTrace | undefined,
  onBody: (text: string) => void,
): Pick<ResponseBodyGuard, "onChunk" | "onComplete"> {
  if (trace === undefined || response.status < 400) return {};
  const kept: Uint8Array[] = [];
  let keptBytes = 0;
  return {
    onChunk: (chunk) => {
      if (keptBytes >= ERROR_BODY_READ_BYTES) return;
      const part = chunk.subarray(0, ERROR_BODY_READ_BYTES - keptBytes);
      kept.push(part.slice());
      keptBytes += part.byteLength;
    },
    onComplete: () => {
      const decoder = new TextDecoder();
      onBody(kept.map((part) => decoder.decode(part, { stream: true })).join("") + decoder.decode());
    },
  };
}

/**
 * Whether a body is one that gets read into memory whole: an error answer, or a JSON or plain
 * text answer (what Graph's API answers use and the official client parses). Anything else is
 * content a caller may stream (files, photos, reports).
 */
function isReadWhole(response: Response): boolean {
  if (response.status >= 400) return true;
  const type = (response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  return type === "application/json" || type?.endsWith("+json") === true || type === "text/plain";
}
