/** Methods that are idempotent by definition (RFC 9110 §9.2.2), so a repeat is safe after a network failure. */
const IDEMPOTENT_METHODS = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/**
 * Whether a method is idempotent by definition.
 * @param method - The HTTP method, any case.
 */
export function isIdempotentMethod(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/**
 * Whether a request body can be sent again unchanged. Only bodies fully held in memory qualify:
 * none, a string, an `ArrayBuffer` or view, or `URLSearchParams`. Streams, blobs and form data
 * may be consumed or read from a source that changes, so such requests are never retried.
 * @param body - The `body` of the fetch options (or of a `Request`, see {@link isReplayableRequest}).
 */
export function isReplayableBody(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === "string" ||
    body instanceof ArrayBuffer ||
    ArrayBuffer.isView(body) ||
    (typeof URLSearchParams !== "undefined" && body instanceof URLSearchParams)
  );
}

/**
 * Whether a request (URL plus options, or a `Request` object) can be sent again unchanged.
 * A `Request` object with a body holds a one-shot stream, so it cannot.
 * @param request - The URL or `Request` of the middleware context.
 * @param body - The `body` of the fetch options.
 */
export function isReplayableRequest(request: RequestInfo, body: unknown): boolean {
  if (typeof Request !== "undefined" && request instanceof Request && request.body !== null) return false;
  return isReplayableBody(body);
}

/** Methods that only read (RFC 9110 §9.2.1); every other method is treated as a write. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a method only reads, so following a redirect with it (even to another origin) changes nothing.
 * @param method - The HTTP method, any case.
 */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}
