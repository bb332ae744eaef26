import type { GraphRequestError } from "../errors/GraphRequestError.js";

/** Why an attempt failed in a way that may be retried. */
export type RetryReason = "status" | "network" | "attempt-timeout";

/** Why the handler stopped retrying. */
export type GiveUpReason =
  /** `maxRetries` retries were made. */
  | "max-retries"
  /** The server asked to wait longer than `maxRetryAfterMs`. */
  | "retry-after-too-long"
  /** The total `deadlineMs` elapsed, or the next wait would not fit in what is left of it. */
  | "deadline"
  /** `shouldRetry` returned `false`, or threw or rejected (the call then ends with that error). */
  | "vetoed"
  /** The request body cannot be sent again (a stream, blob or form data). */
  | "not-replayable"
  /** A network failure, timeout, 502 or 504 hit a request that is not safe to repeat (e.g. PATCH not marked idempotent). */
  | "not-idempotent"
  /** The caller's `AbortSignal` aborted. */
  | "aborted";

/** Fields every retry event has. None of them carries a token or request headers. */
export interface RetryEventBase {
  /** HTTP status of the failed attempt, or `null` for network failures and timeouts. */
  readonly status: number | null;
  /** Graph's `request-id` of the failed attempt, when a response was received. */
  readonly requestId: string | null;
  /** The `client-request-id` of the logical call; the same on every attempt. */
  readonly clientRequestId: string;
  /** The HTTP method. */
  readonly method: string;
  /** The request URL with query secrets redacted. */
  readonly url: string;
}

/** Emitted just before waiting for a retry. The delay is already fixed, so a test can `clock.tick(delayMs)`. */
export interface RetryEvent extends RetryEventBase {
  /** The retry about to be made: 1 for the first retry (the value of its `Retry-Attempt` header). */
  readonly attempt: number;
  /** How long the handler waits before it, in milliseconds. */
  readonly delayMs: number;
  /** Whether the delay is what the server asked for (`Retry-After`, never jittered) or backoff. */
  readonly delaySource: "retry-after" | "backoff";
  /** What failed. */
  readonly reason: RetryReason;
  /** The failure as a typed error: a `GraphRequestError` for a status, a `GraphNetworkError` otherwise. */
  readonly error: GraphRequestError;
}

/** Emitted when the handler stops with a failure it would otherwise have retried. */
export interface GiveUpEvent extends RetryEventBase {
  /** Attempts made in total. */
  readonly attempts: number;
  /** Why it stopped. */
  readonly reason: GiveUpReason;
  /** The last failure, or the error the call ends with (the abort reason when aborted). */
  readonly error: unknown;
}

/** What `shouldRetry` is asked about. */
export interface ShouldRetryContext extends RetryEventBase {
  /** The retry that would be made: 1 for the first retry. */
  readonly attempt: number;
  /** The wait before it, in milliseconds. */
  readonly delayMs: number;
  /** What failed. */
  readonly reason: RetryReason;
  /** The failure as a typed error (with Graph's `error.code` for statuses). */
  readonly error: GraphRequestError;
}

/**
 * Vetoes a retry by returning (or resolving to) `false`; any other value lets it go ahead.
 *
 * - An asynchronous answer is awaited no longer than the call's `deadlineMs` and the caller's
 *   `AbortSignal`: if either ends first, the call ends as it would at that point
 *   (`DeadlineExceededError`, or the abort reason) and the late answer is ignored.
 * - If it throws or rejects, the call ends with that error (not retried, not wrapped): `onGiveUp`
 *   reports reason `"vetoed"` with it, the `RequestTrace` records it, and the failed response,
 *   if any, is freed.
 */
export type ShouldRetry = (context: ShouldRetryContext) => boolean | Promise<boolean>;

/**
 * A listener for {@link RetryEvent}s. It observes and cannot steer or break the call: what it
 * throws, or a promise it returns that rejects, is ignored, and nothing waits for it.
 */
export type RetryListener = (event: RetryEvent) => void;

/** A listener for {@link GiveUpEvent}s; like a {@link RetryListener}, it cannot break the call. */
export type GiveUpListener = (event: GiveUpEvent) => void;

/** Removes a listener when disposed. */
export interface Disposable {
  /** Removes the listener (idempotent). */
  dispose(): void;
}
