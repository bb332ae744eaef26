// The public retry API. The handler classes live in lib/middleware; these are their options,
// events, backoffs and helpers.
export { DEFAULT_RETRY_OPTIONS, type ResilientRetryOptions } from "./ResilientRetryOptions.js";
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
} from "./retryEvents.js";
export type { Backoff, BackoffFunction, BackoffFunctionContext, BackoffSettings, BackoffStrategy, RandomSource } from "./backoff/Backoff.js";
export { createBackoff } from "./backoff/createBackoff.js";
export { decorrelatedJitterBackoff } from "./backoff/decorrelatedJitterBackoff.js";
export { fullJitterBackoff } from "./backoff/fullJitterBackoff.js";
export { exponentialBackoff } from "./backoff/exponentialBackoff.js";
export { constantBackoff } from "./backoff/constantBackoff.js";
export { parseRetryAfter } from "../chain/parseRetryAfter.js";
export { readRetryAfter } from "../chain/readRetryAfter.js";
export { classifyNetworkError } from "../chain/classifyNetworkError.js";
export { abortableDelay } from "../chain/abortableDelay.js";
