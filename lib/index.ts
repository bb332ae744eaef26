export * from "./errors/index.js";
export { RequestTrace } from "./middleware/RequestTrace.js";
export type { ThrottleStore, WindowSpec, ReserveRequest, ReserveResult, RateChange } from "./throttle/ThrottleStore.js";
export { IdempotentRequestOption } from "./middleware/IdempotentRequestOption.js";
export { parseRetryAfter } from "./retry/parseRetryAfter.js";
