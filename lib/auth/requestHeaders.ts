import type { Context } from "@microsoft/microsoft-graph-client";

function isRequestObject(request: RequestInfo): request is Request {
  return typeof Request !== "undefined" && request instanceof Request;
}

function removeFrom(headers: HeadersInit | undefined, name: string): void {
  if (headers === undefined) return;
  const lower = name.toLowerCase();
  if (typeof Headers !== "undefined" && headers instanceof Headers) {
    headers.delete(name);
  } else if (Array.isArray(headers)) {
    for (let i = headers.length - 1; i >= 0; i--) {
      if (String(headers[i]?.[0]).toLowerCase() === lower) headers.splice(i, 1);
    }
  } else {
    const record = headers as Record<string, string>;
    for (const key of Object.keys(record)) {
      if (key.toLowerCase() === lower) delete record[key];
    }
  }
}

/**
 * Removes a header, whatever its case, from the request of a middleware context: from
 * `context.options.headers` (a record, a `Headers` or an array of pairs) and from a `Request`.
 * @param context - The middleware context.
 * @param name - The header name.
 */
export function removeRequestHeader(context: Context, name: string): void {
  removeFrom(context.options?.headers, name);
  if (isRequestObject(context.request)) context.request.headers.delete(name);
}

/**
 * Sets a header on the request of a middleware context, replacing any value it had under any
 * case. It is written where `fetch` will read it: `context.options.headers` when the request is a
 * URL string or the options carry headers (they override a `Request`'s), else the `Request`.
 * @param context - The middleware context.
 * @param name - The header name.
 * @param value - The header value.
 */
export function setRequestHeader(context: Context, name: string, value: string): void {
  removeRequestHeader(context, name);
  const options = context.options;
  if (isRequestObject(context.request) && options?.headers === undefined) {
    context.request.headers.set(name, value);
    return;
  }
  const target = options ?? (context.options = {});
  const headers = target.headers;
  if (headers === undefined) {
    target.headers = { [name]: value };
  } else if (typeof Headers !== "undefined" && headers instanceof Headers) {
    headers.set(name, value);
  } else if (Array.isArray(headers)) {
    headers.push([name, value]);
  } else {
    (headers as Record<string, string>)[name] = value;
  }
}
