import { parseBatchResponses, subResponseRetryAfter } from "../batch/parseBatch.js";
import { readRetryAfter } from "../chain/readRetryAfter.js";
import type { Grant, Lane } from "./ThrottleScheduler.js";

/** The grant one sub-request of a `$batch` took. */
export interface BatchGrant {
  readonly id: string;
  readonly lane: Lane;
  readonly grant: Grant;
}

/** The handler's learning seam, for one answer. */
export type LearnStatus = (status: number, retryAfterMs: number | undefined, grant: BatchGrant, whole: boolean) => Promise<void>;

/**
 * Learns from a `$batch` answer: a batch refused as a whole teaches through its first grant (the
 * key's cooldown is shared by all); a `200` batch teaches through each sub-response, with its own
 * `Retry-After`. Reads a clone, so the body stays for the caller.
 * @param response - The batch response.
 * @param grants - The grants, one per sub-request.
 * @param learn - The handler's learning seam.
 */
export async function learnFromBatch(response: Response | undefined, grants: readonly BatchGrant[], learn: LearnStatus): Promise<void> {
  const first = grants[0];
  if (response === undefined || first === undefined) return;
  if (response.status !== 200) {
    await learn(response.status, readRetryAfter(response.headers), first, true);
    return;
  }
  let text: string;
  try {
    text = await response.clone().text();
  } catch {
    return;
  }
  const byId = new Map(grants.map((grant) => [grant.id, grant]));
  for (const answer of parseBatchResponses(text) ?? []) {
    const grant = byId.get(answer.id);
    if (grant !== undefined) await learn(answer.status, subResponseRetryAfter(answer), grant, false);
  }
}
