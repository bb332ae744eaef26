export {
  SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE,
  SOFTWARE_UPDATE_STATUS_SUMMARY_PATH,
  SOFTWARE_UPDATE_STATUS_SUMMARY_COUNTERS,
  SOFTWARE_UPDATE_STATUS_SUMMARY_WRITABLE_PROPERTIES,
  SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES,
  INT32_MAX,
  type SoftwareUpdateStatusSummaryCounter,
  type SoftwareUpdateStatusSummaryWritableProperty,
  type SoftwareUpdateStatusSummaryProperty,
} from "./softwareUpdateStatusSummaryMetadata.js";
export type { SoftwareUpdateStatusSummaryPatch } from "./SoftwareUpdateStatusSummaryPatch.js";
export { validateSoftwareUpdateStatusSummaryPatch } from "./validateSoftwareUpdateStatusSummaryPatch.js";
export type { SoftwareUpdateStatusSummary } from "@microsoft/microsoft-graph-types";
