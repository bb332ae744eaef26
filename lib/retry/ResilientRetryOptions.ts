import type { BackoffStrategy, RandomSource } from "./backoff/Backoff.js";
import type { GiveUpListener, RetryListener, ShouldRetry } from "./retryEvents.js";

/**
 * Settings of the {@link ResilientRetryHandler}. Pass any subset to the handler (its defaults for
 * every request), to `createGraphClient({ retry })`, or per request through
 * `.middlewareOptions([new ResilientRetryHandlerOptions({...})])`.
 */
export interface ResilientRetryOptions {
  /**
   * Retries after the first attempt (so at most `maxRetries + 1` attempts). `Infinity` is allowed;
   * `deadlineMs` still bounds the call. No cap of 10 as in the stock handler.
   * @default 5
   */
  readonly maxRetries: number;
  /**
   * Statuses that are retried. 429 and 503 mean the server refused the request without
   * processing it, so they are retried for every method; after any other listed status (502,
   * 504...) the request may have been applied, so it is retried only when a repeat is safe
   * (GET, HEAD, PUT, DELETE, OPTIONS, or marked with `IdempotentRequestOption`).
   * @default [429, 502, 503, 504]
   */
  readonly retryStatuses: readonly number[];
  /**
   * How to wait when the server sent no `Retry-After`: one of the exported builders
   * `decorrelatedJitterBackoff` (exponential with decorrelated jitter, within
   * `[baseDelayMs, maxDelayMs]`), `fullJitterBackoff` (uniform in `[0, base * 2^n]`),
   * `exponentialBackoff` (no jitter), `constantBackoff`, your own per-retry function wrapped as
   * `customBackoff(fn)`, or a builder's name: `"decorrelated"`, `"full"`, `"exponential"`, `"constant"`.
   * @default "decorrelated"
   */
  readonly backoff: BackoffStrategy;
  /**
   * The base (first and smallest) backoff delay in milliseconds. Short, because a transient 5xx
   * or reset usually clears at once and a long first wait holds up the whole batch behind it;
   * decorrelated jitter grows it quickly when failures persist, and a server's `Retry-After`
   * always wins.
   * @default 200
   */
  readonly baseDelayMs: number;
  /**
   * The longest backoff delay in milliseconds (does not limit `Retry-After`; see `maxRetryAfterMs`).
   * @default 30000
   */
  readonly maxDelayMs: number;
  /**
   * The longest server-requested wait (`Retry-After`) the handler accepts, in milliseconds. A
   * longer one fails the call at once with `RetryAfterTooLongError` (never silently clipped).
   * Above the 20 s windows of Intune's limits, with room for Graph's usual values.
   * @default 120000
   */
  readonly maxRetryAfterMs: number;
  /**
   * How long one attempt may take to get response headers, in milliseconds, not counting time
   * queued by the throttle handler. A timed-out attempt is retried like a network failure when
   * safe, else fails with `AttemptTimeoutError`. `Infinity` disables it.
   * @default 30000
   */
  readonly attemptTimeoutMs: number;
  /**
   * The total time for the call across all attempts, waits and throttle queueing, in
   * milliseconds; then `DeadlineExceededError`. A wait that would not fit gives up at once.
   * `Infinity` disables it. Longer than `maxRetryAfterMs` so one maximal wait still fits.
   * @default 300000
   */
  readonly deadlineMs: number;
  /**
   * The random source for jitter, returning numbers in `[0, 1)`.
   * @default Math.random
   */
  readonly random: RandomSource;
  /**
   * Asked before each retry (after the delay is known); returning `false` gives up.
   * @default undefined
   */
  readonly shouldRetry: ShouldRetry | undefined;
  /**
   * Called before each wait, besides listeners added with `handler.onRetry()`.
   * @default undefined
   */
  readonly onRetry: RetryListener | undefined;
  /**
   * Called when the handler gives up, besides listeners added with `handler.onGiveUp()`.
   * @default undefined
   */
  readonly onGiveUp: GiveUpListener | undefined;
}

/** The defaults of {@link ResilientRetryOptions}; with them nothing can hang forever. */
export const DEFAULT_RETRY_OPTIONS: Readonly<ResilientRetryOptions> = Object.freeze({
  maxRetries: 5,
  retryStatuses: Object.freeze([429, 502, 503, 504]),
  backoff: "decorrelated",
  baseDelayMs: 200,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  attemptTimeoutMs: 30_000,
  deadlineMs: 300_000,
  random: Math.random,
  shouldRetry: undefined,
  onRetry: undefined,
  onGiveUp: undefined,
} satisfies ResilientRetryOptions);
