// The browser-safe root entry: no Node built-ins may be reachable from here (spec/bundle.spec.ts checks).
// Node-only parts live on subpaths: `msgraph-software-update-status/testing` and `/redis`.
export * from "./errors/index.js";
export * from "./entity/index.js";
export * from "./client/index.js";
export * from "./auth/index.js";
export * from "./retry/index.js";
export { RequestTrace } from "./chain/RequestTrace.js";
export { IdempotentRequestOption } from "./chain/IdempotentRequestOption.js";
export { ResilientRetryHandler } from "./retry/ResilientRetryHandler.js";
export { ResilientRetryHandlerOptions } from "./retry/ResilientRetryHandlerOptions.js";
export * from "./throttle/index.js";
export type { ThrottleStore, WindowSpec, ReserveRequest, ReserveResult, RateChange } from "./throttle/ThrottleStore.js";
