import type { Context } from "@microsoft/microsoft-graph-client";

/** The parts of a middleware context that carry request headers. */
type HeaderCarrier = Pick<Context, "request" | "options">;

function isRequestObject(request: RequestInfo): request is Request {
  return typeof Request !== "undefined" && request instanceof Request;
}

function isHeadersObject(headers: HeadersInit): headers is Headers {
  return typeof Headers !== "undefined" && headers instanceof Headers;
}

/**
 * Where `fetch(context.request, context.options)` reads headers from: `options.headers` when
 * present (they replace a `Request`'s headers wholesale), else the `Request`'s own.
 */
function effectiveHeaders(context: HeaderCarrier): HeadersInit | undefined {
  const fromOptions = context.options?.headers;
  if (fromOptions !== undefined && fromOptions !== null) return fromOptions;
  return isRequestObject(context.request) ? context.request.headers : undefined;
}

/**
 * Reads a request header, case-insensitively, where `fetch` will read it: the fetch options'
 * headers (`Headers`, an array of pairs, or a plain record as `GraphRequest` builds) when they
 * exist, else the `Request` object's.
 * @param context - The middleware context.
 * @param name - The header name, any case.
 */
export function getRequestHeader(context: HeaderCarrier, name: string): string | null {
  const headers = effectiveHeaders(context);
  if (headers === undefined) return null;
  if (isHeadersObject(headers)) return headers.get(name);
  const lower = name.toLowerCase();
  if (Array.isArray(headers)) {
    for (const [key, value] of headers as [string, unknown][]) if (String(key).toLowerCase() === lower && value !== undefined) return String(value);
    return null;
  }
  // A record (what GraphRequest builds), read in place: this runs several times per request, and
  // only a key of the same length can match, so most keys are never lower-cased.
  const record = headers as Record<string, unknown>;
  for (const key in record) {
    if (key.length !== lower.length || !Object.prototype.hasOwnProperty.call(record, key) || key.toLowerCase() !== lower) continue;
    const value = record[key];
    if (value !== undefined) return String(value);
  }
  return null;
}

function removeFrom(headers: HeadersInit | undefined, name: string): void {
  if (headers === undefined || headers === null) return;
  const lower = name.toLowerCase();
  if (isHeadersObject(headers)) {
    headers.delete(name);
  } else if (Array.isArray(headers)) {
    for (let i = headers.length - 1; i >= 0; i--) {
      if (String(headers[i]?.[0]).toLowerCase() === lower) headers.splice(i, 1);
    }
  } else {
    const record = headers as Record<string, string>;
    for (const key of Object.keys(record)) if (key.length === lower.length && key.toLowerCase() === lower) delete record[key];
  }
}

/**
 * Removes a header, whatever its case, from both places a request may carry it: the fetch
 * options' headers and a `Request` object.
 * @param context - The middleware context.
 * @param name - The header name.
 */
export function removeRequestHeader(context: HeaderCarrier, name: string): void {
  removeFrom(context.options?.headers, name);
  if (isRequestObject(context.request)) context.request.headers.delete(name);
}

/**
 * Sets a request header, replacing any value it had under any case, where `fetch` will read it:
 * the fetch options' headers when they exist or the request is a URL, else the `Request`.
 * @param context - The middleware context.
 * @param name - The header name.
 * @param value - The value.
 */
export function setRequestHeader(context: HeaderCarrier, name: string, value: string): void {
  removeRequestHeader(context, name);
  const options = context.options;
  if (isRequestObject(context.request) && (options?.headers === undefined || options.headers === null)) {
    context.request.headers.set(name, value);
    return;
  }
  const target = options ?? (context.options = {});
  const headers = target.headers;
  if (headers === undefined || headers === null) {
    target.headers = { [name]: value };
  } else if (isHeadersObject(headers)) {
    headers.set(name, value);
  } else if (Array.isArray(headers)) {
    headers.push([name, value]);
  } else {
    (headers as Record<string, string>)[name] = value;
  }
}

/**
 * Copies fetch-option headers so one attempt can change them without touching the caller's.
 * @param headers - The caller's headers.
 */
export function copyHeaders(headers: HeadersInit | undefined): HeadersInit | undefined {
  if (headers === undefined) return undefined;
  if (isHeadersObject(headers)) return new Headers(headers);
  if (Array.isArray(headers)) return (headers as [string, string][]).map(([key, value]): [string, string] => [key, value]);
  return { ...(headers as Record<string, string>) };
}
