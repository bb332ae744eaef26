import { GraphError } from "@microsoft/microsoft-graph-client";

/**
 * The most characters of a response body an error keeps. Graph's error bodies are well under
 * 2 KB; a longer body is an HTML page, a proxy's dump or a hostile answer, whose start is enough
 * to recognise it, and errors are kept in logs, traces and `causes`.
 */
export const MAX_ERROR_BODY_CHARS = 4096;

/** Appended to a body cut at {@link MAX_ERROR_BODY_CHARS}. */
export const TRUNCATED_BODY_MARKER = "…[truncated]";

/**
 * An error body cut to {@link MAX_ERROR_BODY_CHARS} characters, marked when cut.
 * @param body - The body as read, or `null`.
 */
export function boundErrorBody(body: string | null): string | null {
  if (body === null || body.length <= MAX_ERROR_BODY_CHARS) return body;
  return body.slice(0, MAX_ERROR_BODY_CHARS) + TRUNCATED_BODY_MARKER;
}

/**
 * An earlier failure as a `cause` keeps it: a `GraphError` with a body becomes a copy without
 * one (same class and fields, `body: null`), so a call retried many times does not carry every
 * attempt's body; anything else is kept as it is.
 * @param cause - The earlier failure.
 */
export function causeWithoutBody(cause: unknown): unknown {
  if (!(cause instanceof GraphError) || cause.body === null || cause.body === undefined) return cause;
  const copy = Object.create(Object.getPrototypeOf(cause) as object, Object.getOwnPropertyDescriptors(cause)) as GraphError;
  // Newer V8 (Node 26) keeps `stack` in an internal slot behind an accessor, which the descriptors do not carry.
  if (copy.stack !== cause.stack) Object.defineProperty(copy, "stack", { value: cause.stack, writable: true, configurable: true });
  copy.body = null;
  return copy;
}
