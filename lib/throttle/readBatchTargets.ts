import type { Context } from "@microsoft/microsoft-graph-client";
import { isBatchRequest, subRequestUrl } from "../batch/batchTarget.js";
import { parseBatchRequests } from "../batch/parseBatch.js";
import type { BatchRequestItem } from "../batch/batchTypes.js";
import { readRequestTarget, type RequestTarget } from "./readRequestTarget.js";

/** One request inside a `$batch`, as the throttle counts it. */
export interface BatchSubTarget {
  readonly id: string;
  readonly target: RequestTarget;
  /** The request as the batch body holds it (to send it in a part of its own). */
  readonly item: BatchRequestItem;
}

/**
 * The sub-requests of a `$batch` in the context, each as the target it would be on its own
 * (Graph counts each one against its own route's limits), or `undefined` for any other request.
 * @param context - The middleware context.
 */
export function readBatchTargets(context: Context): BatchSubTarget[] | undefined {
  const request = context.request;
  if (typeof request !== "string" || !isBatchRequest(request, context.options?.method ?? "GET")) return undefined;
  const items = parseBatchRequests(context.options?.body);
  if (items === undefined || items.length === 0) return undefined;
  const subs: BatchSubTarget[] = [];
  for (const item of items) {
    if (typeof item.id !== "string" || typeof item.method !== "string" || typeof item.url !== "string") return undefined;
    const target = readRequestTarget({ request: subRequestUrl(request, item.url), options: { method: item.method } } as Context);
    subs.push({ id: item.id, target, item });
  }
  return subs;
}
