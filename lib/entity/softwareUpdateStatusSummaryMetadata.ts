import type { SoftwareUpdateStatusSummary } from "@microsoft/microsoft-graph-types";

/** The `@odata.type` of the entity, sent in every update body. */
export const SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE = "#microsoft.graph.softwareUpdateStatusSummary";

/** The Graph path of the singleton, relative to the version segment. */
export const SOFTWARE_UPDATE_STATUS_SUMMARY_PATH = "/deviceManagement/softwareUpdateStatusSummary";

/** The largest value of an Edm.Int32 counter. */
export const INT32_MAX = 2147483647;

/** The 14 Int32 counters of the entity, in the order the Graph documentation lists them. */
export const SOFTWARE_UPDATE_STATUS_SUMMARY_COUNTERS = [
  "compliantDeviceCount",
  "nonCompliantDeviceCount",
  "remediatedDeviceCount",
  "errorDeviceCount",
  "unknownDeviceCount",
  "conflictDeviceCount",
  "notApplicableDeviceCount",
  "compliantUserCount",
  "nonCompliantUserCount",
  "remediatedUserCount",
  "errorUserCount",
  "unknownUserCount",
  "conflictUserCount",
  "notApplicableUserCount",
] as const;

/** The name of one Int32 counter of the entity. */
export type SoftwareUpdateStatusSummaryCounter = (typeof SOFTWARE_UPDATE_STATUS_SUMMARY_COUNTERS)[number];

/** The properties an update may set: `displayName` and the 14 counters (`id` is the read-only key). */
export const SOFTWARE_UPDATE_STATUS_SUMMARY_WRITABLE_PROPERTIES = [
  "displayName",
  ...SOFTWARE_UPDATE_STATUS_SUMMARY_COUNTERS,
] as const;

/** The name of a property an update may set. */
export type SoftwareUpdateStatusSummaryWritableProperty = (typeof SOFTWARE_UPDATE_STATUS_SUMMARY_WRITABLE_PROPERTIES)[number];

/** All 16 properties of the entity, key first, in the documented order. */
export const SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES = ["id", ...SOFTWARE_UPDATE_STATUS_SUMMARY_WRITABLE_PROPERTIES] as const;

/** The name of any property of the entity (what `$select` accepts). */
export type SoftwareUpdateStatusSummaryProperty = (typeof SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES)[number];

// Compile-time guard: the lists above must name exactly the properties of the official type,
// so a change in @microsoft/microsoft-graph-types breaks the build instead of drifting silently.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const propertiesMatchOfficialType: Same<SoftwareUpdateStatusSummaryProperty, keyof SoftwareUpdateStatusSummary> = true;
void propertiesMatchOfficialType;
