import { readRetryAfter } from "../chain/readRetryAfter.js";
import { isPlainObject } from "../entity/isPlainObject.js";
import type { BatchRequestItem, BatchResponseItem } from "./batchTypes.js";

/**
 * Reads the requests of a `$batch` body as sent down the chain (the JSON text `GraphRequest`
 * serialises, or a plain object). Returns `undefined` for anything that is not a JSON batch
 * (a stream, malformed JSON, no `requests` array): such a body is passed through untouched and
 * the server judges it. Items are kept as given; {@link validateBatch} reports what is wrong.
 * @param body - The request body.
 */
export function parseBatchRequests(body: unknown): BatchRequestItem[] | undefined {
  const value = typeof body === "string" ? parseJson(body) : body;
  if (!isPlainObject(value) || !Array.isArray(value["requests"])) return undefined;
  const requests = value["requests"] as unknown[];
  if (!requests.every(isPlainObject)) return undefined;
  return requests as unknown as BatchRequestItem[];
}

/**
 * Reads the sub-responses of a `$batch` response body.
 * @param text - The response body text.
 * @returns The responses, or `undefined` when the body is not a batch response.
 */
export function parseBatchResponses(text: string): BatchResponseItem[] | undefined {
  const value = parseJson(text);
  if (!isPlainObject(value) || !Array.isArray(value["responses"])) return undefined;
  const responses = value["responses"] as unknown[];
  const ok = responses.every((r) => isPlainObject(r) && typeof r["id"] === "string" && typeof r["status"] === "number");
  return ok ? (responses as BatchResponseItem[]) : undefined;
}

/**
 * A header of a sub-response, by case-insensitive name.
 * @param item - The sub-response (or sub-request).
 * @param name - The header name.
 */
export function itemHeader(item: { readonly headers?: Readonly<Record<string, string>> }, name: string): string | undefined {
  const headers = item.headers;
  if (!isPlainObject(headers)) return undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return String(value);
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * How long a sub-response asks to wait, in ms (its own `Retry-After`, read like a response's).
 * @param item - The sub-response.
 */
export function subResponseRetryAfter(item: { readonly headers?: unknown }): number | undefined {
  if (!isPlainObject(item.headers)) return undefined;
  try {
    return readRetryAfter(new Headers(item.headers as Record<string, string>));
  } catch {
    return undefined;
  }
}
