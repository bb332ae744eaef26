import type { Context } from "@microsoft/microsoft-graph-client";
import { IdempotentRequestOption } from "../chain/IdempotentRequestOption.js";
import { newClientRequestId } from "../chain/newClientRequestId.js";
import { getMiddlewareOption } from "../chain/middlewareOption.js";
import { redactUrl } from "../chain/redactUrl.js";
import { getRequestHeader, setRequestHeader } from "../chain/requestHeaders.js";
import { isIdempotentMethod, isReplayableRequest } from "../chain/requestSafety.js";

/** What the retry loop needs to know about the request, read once on entry. */
export interface RequestDescription {
  /** The HTTP method, upper case. */
  readonly method: string;
  /** The URL with query secrets redacted (for events and errors). */
  readonly url: string;
  /** The `client-request-id`, the same on every attempt. */
  readonly clientRequestId: string;
  /** Whether the body can be sent again. */
  readonly replayable: boolean;
  /** Whether a repeat is safe after a network failure: an idempotent method, or marked so per request. */
  readonly idempotent: boolean;
}

/**
 * Reads method, URL, body and idempotency, and gives the request a `client-request-id` when it
 * has none, so support can follow one logical call across its retries.
 * @param context - The middleware context (its headers may gain `client-request-id`).
 */
export function describeRequest(context: Context): RequestDescription {
  const { request, options } = context;
  const isRequestObject = typeof Request !== "undefined" && request instanceof Request;
  const method = (isRequestObject ? request.method : (options?.method ?? "GET")).toUpperCase();
  const url = redactUrl(typeof request === "string" ? request : request.url);
  const existing = getRequestHeader(context, "client-request-id");
  const clientRequestId = existing === null || existing === "" ? newClientRequestId() : existing;
  // Always written in lower case, so handlers that look it up case-sensitively (the official
  // TelemetryHandler) find it instead of adding a second, different id.
  setRequestHeader(context, "client-request-id", clientRequestId);
  const marked = getMiddlewareOption(context, IdempotentRequestOption);
  return {
    method,
    url,
    clientRequestId,
    replayable: isReplayableRequest(request, options?.body),
    idempotent: marked === undefined ? isIdempotentMethod(method) : marked.idempotent,
  };
}
