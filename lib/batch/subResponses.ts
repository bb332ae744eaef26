import { isIdempotentMethod } from "../chain/requestSafety.js";
import { ATTEMPTS_HEADER, type BatchRequestItem, type BatchResponseItem } from "./batchTypes.js";

/** Gateway failures: retried only for requests that are safe to repeat (they may have been processed). */
const GATEWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/**
 * Whether a sub-request that got `status` may be sent again. A `429` always: Graph did not
 * process it. A `502`/`503`/`504` only when repeating it is harmless (the request may have run):
 * an idempotent method (GET, HEAD, PUT, DELETE, OPTIONS) or one the caller vouched for.
 * @param status - The sub-response status.
 * @param item - The sub-request.
 * @param isIdempotent - The caller's judgement of non-idempotent methods.
 */
export function isRetryableSubResponse(
  status: number,
  item: BatchRequestItem,
  isIdempotent: (item: BatchRequestItem) => boolean,
): boolean {
  if (status === 429) return true;
  if (!GATEWAY_STATUSES.has(status)) return false;
  return isIdempotentMethod(item.method) || isIdempotent(item);
}

/** Whether a status is a success (2xx). */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * The `424 Failed Dependency` answer Graph gives a request whose dependency failed.
 * @param id - The request's id.
 */
export function failedDependencyResponse(id: string): BatchResponseItem {
  return {
    id,
    status: 424,
    headers: { "Content-Type": "application/json" },
    body: { error: { code: "FailedDependency", message: "Failed dependency: a request this request depends on failed." } },
  };
}

/**
 * A sub-response with its attempt count added as the {@link ATTEMPTS_HEADER} header.
 * @param response - The last real sub-response.
 * @param attempts - How many times its request was sent.
 */
export function withAttempts(response: BatchResponseItem, attempts: number): BatchResponseItem {
  return { ...response, headers: { ...response.headers, [ATTEMPTS_HEADER]: String(attempts) } };
}

/**
 * The sub-responses of a batch refused as a whole (a top-level `429`, `503`…): each of its
 * requests is answered with that refusal (status, `Retry-After`, body), since the server did
 * refuse every one of them, so each is judged (and re-sent) as if refused alone.
 * @param response - The refusal.
 * @param text - Its body, already read.
 * @param items - The requests it refused.
 */
export function refusalAnswers(response: Response, text: string, items: readonly BatchRequestItem[]): BatchResponseItem[] {
  const headers: Record<string, string> = {};
  const retryAfter = response.headers.get("retry-after");
  const contentType = response.headers.get("content-type");
  if (retryAfter !== null) headers["Retry-After"] = retryAfter;
  if (contentType !== null) headers["Content-Type"] = contentType;
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Not JSON: the text as it came.
  }
  return items.map((item) => ({ id: item.id, status: response.status, headers, body }));
}

/**
 * The requests of a follow-up batch: `dependsOn` kept only for ids that travel in it (the others
 * already succeeded, which is all a dependency asks).
 * @param items - The requests to send, in order.
 */
export function followUpRequests(items: readonly BatchRequestItem[]): BatchRequestItem[] {
  const ids = new Set(items.map((item) => item.id));
  return items.map((item) => {
    if (item.dependsOn === undefined) return item;
    const kept = item.dependsOn.filter((dep) => ids.has(dep));
    const { dependsOn: _dropped, ...rest } = item;
    return kept.length > 0 ? { ...rest, dependsOn: kept } : rest;
  });
}
