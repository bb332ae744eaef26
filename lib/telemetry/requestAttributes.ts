import type { Context } from "@microsoft/microsoft-graph-client";
import type { Attributes } from "@opentelemetry/api";
import { redactUrl } from "../chain/redactUrl.js";
import { getRequestHeader } from "../chain/requestHeaders.js";
import { requestLine } from "../throttle/readRequestTarget.js";

/**
 * The HTTP client semantic-convention attributes of a request: method, redacted URL, server
 * address and port. Never a header but `client-request-id` (no token can reach a span).
 * @param context - The middleware context.
 */
export function requestAttributes(context: Context): Attributes {
  const { url, method } = requestLine(context);
  const attributes: Attributes = { "http.request.method": method, "url.full": redactUrl(url) };
  try {
    const parsed = new URL(url);
    attributes["server.address"] = parsed.hostname;
    attributes["server.port"] = parsed.port === "" ? (parsed.protocol === "http:" ? 80 : 443) : Number(parsed.port);
  } catch {
    // A relative or broken URL: the redacted URL says what is known.
  }
  return attributes;
}

/**
 * The Graph ids of a request and its response: `client-request-id` (ours) and `request-id` (Graph's).
 * @param context - The middleware context.
 * @param response - The response, if any.
 */
export function graphIdAttributes(context: Context, response: Response | undefined): Attributes {
  const attributes: Attributes = {};
  const clientRequestId = getRequestHeader(context, "client-request-id");
  if (clientRequestId !== null) attributes["http.request.header.client-request-id"] = [clientRequestId];
  const requestId = response?.headers.get("request-id");
  if (requestId !== null && requestId !== undefined) attributes["http.response.header.request-id"] = [requestId];
  return attributes;
}

/**
 * The `error.type` of an outcome: the status code for a 4xx/5xx, the error's name (or network
 * failure kind) for a thrown error, else `undefined`.
 * @param response - The response, if any.
 * @param error - What was thrown, if anything.
 * @param threw - Whether something was thrown.
 */
export function errorType(response: Response | undefined, threw: boolean, error: unknown): string | undefined {
  if (threw) {
    const named = error as { readonly name?: unknown; readonly kind?: unknown } | null;
    if (typeof named?.kind === "string") return named.kind;
    return typeof named?.name === "string" && named.name !== "" ? named.name : "_OTHER";
  }
  return response !== undefined && response.status >= 400 ? String(response.status) : undefined;
}
