import { dependsOnOf } from "../batch/dependencies.js";
import type { BatchRequestItem, BatchResponseItem } from "../batch/batchTypes.js";
import { parseBatchResponses } from "../batch/parseBatch.js";
import { refusalAnswers } from "../batch/subResponses.js";
import type { BatchSubTarget } from "./readBatchTargets.js";

/**
 * The pending sub-requests in an order they can be sent in parts: each after every request it
 * depends on (Graph resolves `dependsOn` only within one `$batch`, so a later part runs a request
 * after its dependency succeeded in an earlier one, as the batch would have). `undefined` when
 * the `dependsOn` cannot be ordered (an unknown id or a cycle): such a batch goes whole, for the
 * server to judge.
 * @param pending - The requests not answered yet, in the batch's order.
 * @param answered - Ids answered with a success.
 */
export function sendOrder<T extends BatchSubTarget>(pending: readonly T[], answered: ReadonlySet<string>): T[] | undefined {
  const order: T[] = [];
  const placed = new Set<string>();
  let left = [...pending];
  while (left.length > 0) {
    const ready = left.filter((sub) => dependsOnOf(sub.item).every((dep) => answered.has(dep) || placed.has(dep)));
    if (ready.length === 0) return undefined;
    for (const sub of ready) {
      order.push(sub);
      placed.add(sub.id);
    }
    left = left.filter((sub) => !placed.has(sub.id));
  }
  return order;
}

/**
 * The pending requests that will not run because a request they depend on (directly or not) was
 * answered with a failure: Graph answers them `424 Failed Dependency` without running them.
 * @param pending - The requests not answered yet.
 * @param failed - Ids answered with a failure.
 */
export function failedDependents(pending: readonly BatchSubTarget[], failed: ReadonlySet<string>): Set<string> {
  const result = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const sub of pending) {
      if (result.has(sub.id)) continue;
      if (dependsOnOf(sub.item).some((dep) => failed.has(dep) || result.has(dep))) {
        result.add(sub.id);
        grew = true;
      }
    }
  }
  return result;
}

/**
 * The sub-responses a part of a batch got, to merge into the one response the caller sees. A part
 * refused as a whole (a top-level `429`, `503`…) answers each of its requests with that refusal
 * (see `refusalAnswers`): the server did refuse them, and the batch step re-sends them.
 * @param response - The part's response.
 * @param items - The part's requests.
 * @returns The sub-responses, or `undefined` when the body is not a batch response.
 */
export async function partAnswers(response: Response, items: readonly BatchRequestItem[]): Promise<BatchResponseItem[] | undefined> {
  const text = await response.text();
  return response.status === 200 ? parseBatchResponses(text) : refusalAnswers(response, text, items);
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
