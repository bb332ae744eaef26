import type { Context } from "@microsoft/microsoft-graph-client";
import { IdempotentRequestOption } from "../chain/IdempotentRequestOption.js";
import { newClientRequestId } from "../chain/newClientRequestId.js";
import { getMiddlewareOption } from "../chain/middlewareOption.js";
import { redactUrl } from "../chain/redactUrl.js";
import { getRequestHeader, setRequestHeader } from "../chain/requestHeaders.js";
import { isIdempotentMethod, isReplayableRequest } from "../chain/requestSafety.js";

/** What the retry loop needs to know about the request: the id set on entry, the rest read when first needed. */
export interface RequestDescription {
  /** The HTTP method, upper case (worked out on first read). */
  readonly method: string;
  /** The URL with query secrets redacted (for events and errors); worked out on first read. */
  readonly url: string;
  /** The `client-request-id`, the same on every attempt. */
  readonly clientRequestId: string;
  /** Whether the body can be sent again (worked out on first read). */
  readonly replayable: boolean;
  /** Whether a repeat is safe after a network failure: an idempotent method, or marked so per request (worked out on first read). */
  readonly idempotent: boolean;
}

/**
 * Reads method, URL, body and idempotency, and gives the request a `client-request-id` when it
 * has none, so support can follow one logical call across its retries.
 * @param context - The middleware context (its headers may gain `client-request-id`).
 */
export function describeRequest(context: Context): RequestDescription {
  const existing = getRequestHeader(context, "client-request-id");
  const clientRequestId = existing === null || existing === "" ? newClientRequestId() : existing;
  // Always written in lower case, so handlers that look it up case-sensitively (the official
  // TelemetryHandler) find it instead of adding a second, different id. Our own request builder
  // already sends it so; then there is nothing to rewrite.
  if (!hasLowerCaseHeader(context, "client-request-id", clientRequestId)) setRequestHeader(context, "client-request-id", clientRequestId);
  return new LazyDescription(context, clientRequestId);
}

/**
 * A {@link RequestDescription} that works out each field on first read: a call answered at once
 * reads none but the id, and the rest (redacting the URL parses and rebuilds it; the idempotency
 * mark is a middleware-option lookup) is needed only by a failure, an event or an error. What it
 * reads (the request, its options and their body, the middleware options) is taken on entry.
 */
class LazyDescription implements RequestDescription {
  private readonly request: RequestInfo;
  private readonly options: Context["options"];
  private readonly context: Context;
  private methodValue: string | undefined;
  private urlValue: string | undefined;
  private replayableValue: boolean | undefined;
  private idempotentValue: boolean | undefined;

  constructor(
    context: Context,
    readonly clientRequestId: string,
  ) {
    this.context = context;
    this.request = context.request;
    this.options = context.options;
  }

  get method(): string {
    if (this.methodValue === undefined) {
      const request = this.request;
      const isRequestObject = typeof Request !== "undefined" && request instanceof Request;
      this.methodValue = (isRequestObject ? request.method : (this.options?.method ?? "GET")).toUpperCase();
    }
    return this.methodValue;
  }

  get url(): string {
    const request = this.request;
    return (this.urlValue ??= redactUrl(typeof request === "string" ? request : request.url));
  }

  get replayable(): boolean {
    return (this.replayableValue ??= isReplayableRequest(this.request, this.options?.body));
  }

  get idempotent(): boolean {
    if (this.idempotentValue === undefined) {
      const marked = getMiddlewareOption(this.context, IdempotentRequestOption);
      this.idempotentValue = marked === undefined ? isIdempotentMethod(this.method) : marked.idempotent;
    }
    return this.idempotentValue;
  }
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
