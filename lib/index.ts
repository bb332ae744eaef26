// The public API of the root entry, as an explicit list: every name here is one a user of the
// package needs. Internal code imports the modules directly, never this file.
// The root is browser-safe: no Node built-ins may be reachable from here (spec/bundle.spec.ts checks).
// Node-only parts live on subpaths: `msgraph-software-update-status/testing` and `/redis`.

// The client
export { createGraphClient } from "./client/createGraphClient.js";
export { extendClient } from "./client/extendClient.js";
export type { CreateGraphClientOptions, GraphClient, StockRetryGraphClientOptions } from "./client/CreateGraphClientOptions.js";
export type { BatchStepOptions, BreakerStepOptions, MiddlewarePositions, RetryStepOptions, ThrottleStepOptions } from "./client/buildMiddlewareChain.js";
export type {
  GraphApiVersion,
  SelectedSoftwareUpdateStatusSummary,
  SoftwareUpdateStatusSummaryCallOptions,
  SoftwareUpdateStatusSummaryClient,
  SoftwareUpdateStatusSummaryGetOptions,
  SoftwareUpdateStatusSummaryRequestBuilder,
  SoftwareUpdateStatusSummaryUpdateOptions,
} from "./client/SoftwareUpdateStatusSummaryRequestBuilder.js";

// The entity
export type { SoftwareUpdateStatusSummary } from "@microsoft/microsoft-graph-types";
export type { SoftwareUpdateStatusSummaryPatch } from "./entity/SoftwareUpdateStatusSummaryPatch.js";
export {
  SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES,
  SOFTWARE_UPDATE_STATUS_SUMMARY_WRITABLE_PROPERTIES,
  type SoftwareUpdateStatusSummaryProperty,
  type SoftwareUpdateStatusSummaryWritableProperty,
} from "./entity/softwareUpdateStatusSummaryMetadata.js";
export { validateSoftwareUpdateStatusSummaryPatch } from "./entity/validateSoftwareUpdateStatusSummaryPatch.js";

// Authentication
export { SecureAuthenticationHandler, type SecureAuthenticationHandlerOptions } from "./auth/SecureAuthenticationHandler.js";
export { SecureRedirectHandler } from "./auth/SecureRedirectHandler.js";
export type { SecureRedirectHandlerOptions } from "./auth/SecureRedirectHandlerOptions.js";

// Logging, shared by the client and the handlers
export type { GraphLogger } from "./chain/logger.js";

// Per-request options shared by the handlers
export { RequestTrace } from "./chain/RequestTrace.js";
export { IdempotentRequestOption } from "./chain/IdempotentRequestOption.js";

// Retry
export { ResilientRetryHandler } from "./retry/ResilientRetryHandler.js";
export { ResilientRetryHandlerOptions } from "./retry/ResilientRetryHandlerOptions.js";
export type { ResilientRetryOptions } from "./retry/ResilientRetryOptions.js";
export type {
  Disposable,
  GiveUpEvent,
  GiveUpListener,
  GiveUpReason,
  RetryEvent,
  RetryEventBase,
  RetryListener,
  RetryReason,
  ShouldRetry,
  ShouldRetryContext,
} from "./retry/retryEvents.js";
export type {
  Backoff,
  BackoffBuilder,
  BackoffFunction,
  BackoffFunctionContext,
  BackoffName,
  BackoffSettings,
  BackoffStrategy,
  RandomSource,
} from "./retry/backoff/Backoff.js";
export { decorrelatedJitterBackoff } from "./retry/backoff/decorrelatedJitterBackoff.js";
export { fullJitterBackoff } from "./retry/backoff/fullJitterBackoff.js";
export { exponentialBackoff } from "./retry/backoff/exponentialBackoff.js";
export { constantBackoff } from "./retry/backoff/constantBackoff.js";
export { customBackoff } from "./retry/backoff/customBackoff.js";

// Throttling
export { ThrottleHandler } from "./throttle/ThrottleHandler.js";
export type { AdaptiveThrottleOptions, ThrottleHandlerOptions } from "./throttle/ThrottleHandlerOptions.js";
export { INTUNE_DEVICE_CONFIGURATION_BUDGETS, type BudgetMethods, type BudgetRoute, type ThrottleBudget } from "./throttle/ThrottleBudget.js";
export type { ThrottleKeyFunction } from "./throttle/throttleIdentity.js";
export type {
  AdaptiveRateStats,
  BudgetUseStats,
  ThrottleEvent,
  ThrottleKeyStats,
  ThrottleListener,
  ThrottleReason,
} from "./throttle/ThrottleEvents.js";
export type { StoreFallbackEvent, StoreRecoverEvent } from "./throttle/StoreEvents.js";
export type { StoreOperation } from "./throttle/storeCall.js";
export type { CountRequest, RateChange, RefundRequest, ReserveRequest, ReserveResult, SettleRequest, ThrottleStore, WindowSpec } from "./throttle/ThrottleStore.js";
export { MemoryThrottleStore, type MemoryThrottleStoreOptions } from "./throttle/MemoryThrottleStore.js";
export type { BreakerAdmission, BreakerOutcome, BreakerPolicy, BreakerState, BreakerStore, BreakerTransition } from "./throttle/BreakerStore.js";

// Circuit breaker
export { CircuitBreakerHandler } from "./breaker/CircuitBreakerHandler.js";
export type { CircuitBreakerOptions, CircuitStateEvent, CircuitStateListener } from "./breaker/CircuitBreakerOptions.js";

// JSON batching
export { BatchHandler } from "./batch/BatchHandler.js";
export type { BatchHandlerOptions } from "./batch/BatchHandlerOptions.js";
export type { BatchEventBase, BatchGiveUpEvent, BatchGiveUpListener, BatchGiveUpReason, BatchRoundEvent, BatchRoundListener } from "./batch/batchEvents.js";
export { sendBatch, type BatchProgress, type BatchResult, type SendBatchOptions } from "./batch/sendBatch.js";
export { validateBatch } from "./batch/validateBatch.js";
export type { BatchRequestItem, BatchResponseItem } from "./batch/batchTypes.js";

// Errors, each with a guard that works across copies of the package (ESM and CommonJS)
export { GraphRequestError, isGraphRequestError, type GraphRequestErrorInit } from "./errors/GraphRequestError.js";
export { GraphNetworkError, isGraphNetworkError, type NetworkFailureKind } from "./errors/GraphNetworkError.js";
export { AttemptTimeoutError, isAttemptTimeoutError } from "./errors/AttemptTimeoutError.js";
export { DeadlineExceededError, isDeadlineExceededError } from "./errors/DeadlineExceededError.js";
export { RetryAfterTooLongError, isRetryAfterTooLongError } from "./errors/RetryAfterTooLongError.js";
export { ThrottleQueueFullError, isThrottleQueueFullError } from "./errors/ThrottleQueueFullError.js";
export { CircuitOpenError, isCircuitOpenError } from "./errors/CircuitOpenError.js";
export { ValidationError, isValidationError, type ValidationIssue } from "./errors/ValidationError.js";
export { InvalidOptionsError, isInvalidOptionsError } from "./errors/InvalidOptionsError.js";
export { AuthenticationError, isAuthenticationError, type AuthenticationProblem } from "./errors/AuthenticationError.js";
export { RedirectRefusedError, isRedirectRefusedError, type RedirectRefusalReason } from "./errors/RedirectRefusedError.js";
