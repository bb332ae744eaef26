import type { Context, FetchOptions } from "@microsoft/microsoft-graph-client";

/**
 * Reads a request header, case-insensitively, from the `Request` object or the fetch options
 * (`Headers`, an array of pairs, or a plain record as `GraphRequest` builds).
 * @param context - The middleware context.
 * @param name - The header name, any case.
 */
export function getRequestHeader(context: Pick<Context, "request" | "options">, name: string): string | null {
  const { request, options } = context;
  if (typeof Request !== "undefined" && request instanceof Request) return request.headers.get(name);
  const headers = options?.headers;
  if (headers === undefined) return null;
  if (headers instanceof Headers) return headers.get(name);
  const lower = name.toLowerCase();
  const pairs: Iterable<readonly [string, string]> = Array.isArray(headers)
    ? (headers as [string, string][])
    : Object.entries(headers as Record<string, string>);
  for (const [key, value] of pairs) if (key.toLowerCase() === lower) return value;
  return null;
}

/**
 * Sets a request header, replacing any value under the same name in any case. Writes to the
 * `Request` object when there is one, else to the fetch options (creating their headers).
 * @param context - The middleware context.
 * @param name - The header name.
 * @param value - The value.
 */
export function setRequestHeader(context: Pick<Context, "request" | "options">, name: string, value: string): void {
  const { request } = context;
  if (typeof Request !== "undefined" && request instanceof Request) {
    request.headers.set(name, value);
    return;
  }
  const options: FetchOptions = (context.options ??= {});
  const headers = options.headers;
  const lower = name.toLowerCase();
  if (headers === undefined) {
    options.headers = { [name]: value };
  } else if (headers instanceof Headers) {
    headers.set(name, value);
  } else if (Array.isArray(headers)) {
    const pairs = headers as [string, string][];
    options.headers = [...pairs.filter(([key]) => key.toLowerCase() !== lower), [name, value]];
  } else {
    const record = headers as Record<string, string>;
    for (const key of Object.keys(record)) if (key.toLowerCase() === lower) delete record[key];
    record[name] = value;
  }
}

/**
 * Copies fetch-option headers so one attempt can change them without touching the caller's.
 * @param headers - The caller's headers.
 */
export function copyHeaders(headers: HeadersInit | undefined): HeadersInit | undefined {
  if (headers === undefined) return undefined;
  if (headers instanceof Headers) return new Headers(headers);
  if (Array.isArray(headers)) return (headers as [string, string][]).map(([key, value]): [string, string] => [key, value]);
  return { ...(headers as Record<string, string>) };
}
