import type { Context } from "@microsoft/microsoft-graph-client";
import { IdempotentRequestOption } from "../middleware/IdempotentRequestOption.js";
import { getMiddlewareOption } from "./middlewareOption.js";
import { redactUrl } from "./redactUrl.js";
import { getRequestHeader, setRequestHeader } from "./requestHeaders.js";
import { isIdempotentMethod, isReplayableRequest } from "./requestSafety.js";

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
  const clientRequestId = existing === null || existing === "" ? newRequestId() : existing;
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

/** A random UUID; `crypto.randomUUID` is missing in insecure browser contexts, so fall back to `getRandomValues`. */
function newRequestId(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
