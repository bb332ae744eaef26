export { createGraphClient } from "./createGraphClient.js";
export type { CreateGraphClientOptions, GraphClient } from "./CreateGraphClientOptions.js";
export { extendClient } from "./extendClient.js";
export {
  buildMiddlewareChain,
  type MiddlewareChainOptions,
  type RetryStepOptions,
  type ThrottleStepOptions,
} from "./buildMiddlewareChain.js";
export { createSoftwareUpdateStatusSummaryRequestBuilder } from "./createSoftwareUpdateStatusSummaryRequestBuilder.js";
export type {
  GraphApiVersion,
  SelectedSoftwareUpdateStatusSummary,
  SoftwareUpdateStatusSummaryCallOptions,
  SoftwareUpdateStatusSummaryClient,
  SoftwareUpdateStatusSummaryGetOptions,
  SoftwareUpdateStatusSummaryRequestBuilder,
  SoftwareUpdateStatusSummaryUpdateOptions,
} from "./SoftwareUpdateStatusSummaryRequestBuilder.js";
