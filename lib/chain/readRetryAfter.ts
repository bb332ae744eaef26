import { parseRetryAfter } from "./parseRetryAfter.js";

/**
 * Reads how long the server asked to wait, in milliseconds, from response headers: Azure's
 * `retry-after-ms` / `x-ms-retry-after-ms` when present, else `Retry-After` (delta-seconds or an
 * HTTP-date). An HTTP-date is measured against the response's own `Date` header when it has one,
 * so a skewed local clock does not stretch or cut the wait; else against the local clock.
 * @param headers - The response headers.
 * @param nowMs - The local time, ms since epoch. @default Date.now()
 * @returns The wait in ms, or `undefined` when absent or unparseable (fall back to backoff).
 */
export function readRetryAfter(headers: Headers, nowMs: number = Date.now()): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const value = headers.get(name)?.trim();
    if (value !== undefined && /^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value));
  }
  const retryAfter = headers.get("retry-after");
  if (retryAfter === null) return undefined;
  const dateHeader = headers.get("date");
  const serverNowMs = dateHeader === null ? Number.NaN : Date.parse(dateHeader);
  return parseRetryAfter(retryAfter, Number.isFinite(serverNowMs) ? serverNowMs : nowMs);
}
