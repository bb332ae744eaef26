import type { BackoffStrategy, RandomSource } from "./backoff/Backoff.js";
import type { GraphLogger } from "../chain/logger.js";
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
   * How long one attempt may take, in milliseconds, not counting time queued by the throttle
   * handler. It covers the response body too: an attempt whose headers do not come in time is
   * retried like a network failure when safe, else fails with `AttemptTimeoutError`. So is a small
   * JSON or text answer that the handler reads inside the attempt and does not get to the end of in
   * time. Any other body that is not read to the end in time fails its reader with
   * `AttemptTimeoutError` (the response was already handed up, so it is not retried). `Infinity`
   * disables it.
   * @default 30000
   */
  readonly attemptTimeoutMs: number;
  /**
   * The total time for the call across all attempts, waits, throttle queueing and reading the
   * response body, in milliseconds; then `DeadlineExceededError`. A wait that would not fit gives up at once.
   * `Infinity` disables it. Longer than `maxRetryAfterMs` so one maximal wait still fits.
   * @default 300000
   */
  readonly deadlineMs: number;
  /**
   * The largest response body, in bytes, handed up the chain for reading whole: every error
   * answer (4xx/5xx), and 2xx answers whose `Content-Type` is JSON (`application/json`,
   * `…+json`) or `text/plain` — what Graph's API answers use and the official client reads into
   * memory. Reading a longer one fails with a `GraphRequestError` with code `ResponseTooLarge`
   * once it passes the limit (at once when `Content-Length` says so), and the rest is never
   * read. Other 2xx bodies (file content, photos, reports, `application/octet-stream`: what
   * `getStream()` and downloads return) are never capped, because the middleware cannot see the
   * response type a caller asked for. `Infinity` turns the cap off (e.g. per request, to stream
   * a huge JSON answer).
   *
   * Why 16 MiB: Graph's largest JSON answers (a 999-item page, a 20-request `$batch`) stay within
   * a few MB, while text and parsed objects take several times their byte count in memory; one
   * broken or hostile answer cannot make the process hold more than this per request.
   * @default 16777216 (16 MiB)
   */
  readonly maxResponseBytes: number;
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
  /**
   * Logs each retry (`info`) and give-up (`warn`), with the redacted URL and ids, never a token
   * or header. `console` fits. Off by default.
   * @default undefined
   */
  readonly logger: GraphLogger | undefined;
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
  maxResponseBytes: 16 * 1024 * 1024,
  random: Math.random,
  shouldRetry: undefined,
  onRetry: undefined,
  onGiveUp: undefined,
  logger: undefined,
} satisfies ResilientRetryOptions);
