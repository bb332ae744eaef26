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
  /** The URL with query secrets redacted (for events and errors); worked out on first read. */
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
  const rawUrl = typeof request === "string" ? request : request.url;
  const existing = getRequestHeader(context, "client-request-id");
  const clientRequestId = existing === null || existing === "" ? newClientRequestId() : existing;
  // Always written in lower case, so handlers that look it up case-sensitively (the official
  // TelemetryHandler) find it instead of adding a second, different id. Our own request builder
  // already sends it so; then there is nothing to rewrite.
  if (!hasLowerCaseHeader(context, "client-request-id", clientRequestId)) setRequestHeader(context, "client-request-id", clientRequestId);
  const marked = getMiddlewareOption(context, IdempotentRequestOption);
  let url: string | undefined;
  return {
    method,
    // Only events and errors need it, and redacting parses and rebuilds the URL: not on every request.
    get url() {
      return (url ??= redactUrl(rawUrl));
    },
    clientRequestId,
    replayable: isReplayableRequest(request, options?.body),
    idempotent: marked === undefined ? isIdempotentMethod(method) : marked.idempotent,
  };
}

/** Whether a plain-record header set holds `name` (lower case) with `value`, under no other spelling. */
function hasLowerCaseHeader(context: Context, name: string, value: string): boolean {
  const headers = context.options?.headers;
  if (headers === undefined || headers === null || Array.isArray(headers) || (typeof Headers !== "undefined" && headers instanceof Headers)) return false;
  const record = headers as Record<string, unknown>;
  if (record[name] !== value) return false;
  let spellings = 0;
  for (const key of Object.keys(record)) if (key.length === name.length && key.toLowerCase() === name) spellings += 1;
  return spellings === 1;
}
