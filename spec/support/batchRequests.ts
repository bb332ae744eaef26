import type { BatchResponseItem } from "../../lib/batch/batchTypes.js";

/** The entity every batch spec writes to. */
export const SUMMARY = "/deviceManagement/softwareUpdateStatusSummary";

/**
 * A JSON-batching sub-request that PATCHes the summary's `compliantDeviceCount` (distinct per
 * request, so the emulator's applied log tells them apart).
 * @param id - The sub-request's id.
 * @param count - The `compliantDeviceCount` it writes.
 * @param dependsOn - Ids it depends on.
 */
export function patchRequest(id: string, count: number, dependsOn?: string[]) {
  return {
    id,
    method: "PATCH",
    url: SUMMARY,
    headers: { "Content-Type": "application/json" },
    body: { compliantDeviceCount: count },
    ...(dependsOn === undefined ? {} : { dependsOn }),
  };
}

/** A `$batch` response body. */
export type BatchBody = { responses: BatchResponseItem[] };
