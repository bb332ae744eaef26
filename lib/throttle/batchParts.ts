import { dependencyGroups } from "../batch/dependencies.js";
import type { BatchRequestItem, BatchResponseItem } from "../batch/batchTypes.js";
import { parseBatchResponses } from "../batch/parseBatch.js";
import type { BatchSubTarget } from "./readBatchTargets.js";

/**
 * The sub-requests of a batch as groups that must travel together: Graph resolves `dependsOn`
 * only within one `$batch`, so a batch sent in parts keeps each chain in one part.
 * @param subs - The sub-requests, in order.
 */
export function batchGroups<T extends BatchSubTarget>(subs: readonly T[]): T[][] {
  const byId = new Map(subs.map((sub) => [sub.id, sub]));
  return dependencyGroups(subs.map((sub) => sub.item)).map((group) => group.map((item) => byId.get(item.id) as T));
}

/**
 * The sub-responses a part of a batch got, to merge into the one response the caller sees. A part
 * refused as a whole (a top-level `429`, `503`…) answers each of its requests with that refusal
 * (status, `Retry-After`, body): the server did refuse them, and the batch step re-sends them.
 * @param response - The part's response.
 * @param items - The part's requests.
 * @returns The sub-responses, or `undefined` when the body is not a batch response.
 */
export async function partAnswers(response: Response, items: readonly BatchRequestItem[]): Promise<BatchResponseItem[] | undefined> {
  const text = await response.text();
  if (response.status === 200) return parseBatchResponses(text);
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (name === "retry-after" || name === "content-type") headers[name === "retry-after" ? "Retry-After" : "Content-Type"] = value;
  });
  let body: unknown = text;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    // Not JSON: the text as it came.
  }
  return items.map((item) => ({ id: item.id, status: response.status, headers, body }));
}

/**
 * One batch response from the answers of its parts, in the original order. A request no part
 * answered is left out (never an invented answer).
 * @param items - The batch's requests, in order.
 * @param answers - Every answer, by id.
 * @param last - The last part's response (its headers are kept).
 */
export function mergedBatchResponse(items: readonly BatchRequestItem[], answers: ReadonlyMap<string, BatchResponseItem>, last: Response | undefined): Response {
  const responses = items.flatMap((item) => {
    const answer = answers.get(item.id);
    return answer === undefined ? [] : [answer];
  });
  const headers = new Headers(last?.headers);
  headers.delete("content-length");
  headers.delete("content-encoding");
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify({ responses }), { status: 200, statusText: "OK", headers });
}
