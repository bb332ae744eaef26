import type { SoftwareUpdateStatusSummary } from "@microsoft/microsoft-graph-types";
import type { SoftwareUpdateStatusSummaryWritableProperty } from "./softwareUpdateStatusSummaryMetadata.js";

/**
 * The body of an update: any of the writable properties of the entity, all optional.
 * Counters are Int32 `number`s (0..2147483647); `displayName` is a `string` or `null`.
 * Derived from the official `SoftwareUpdateStatusSummary` type, without the read-only `id`.
 */
export type SoftwareUpdateStatusSummaryPatch = {
  [K in SoftwareUpdateStatusSummaryWritableProperty]?: Required<SoftwareUpdateStatusSummary>[K];
};
