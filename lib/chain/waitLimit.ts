import { DeadlineExceededError } from "../errors/DeadlineExceededError.js";
import type { GraphRequestError } from "../errors/GraphRequestError.js";
import { RetryAfterTooLongError } from "../errors/RetryAfterTooLongError.js";

/**
 * How long the caller of one request accepts to wait for the server: the retry handler's
 * `maxRetryAfterMs` and its call deadline. The retry handler publishes it on every attempt it
 * sends, so the throttle handler below judges a shared cooldown by the same rule as the retry
 * handler judges a `Retry-After`: one notion of how long to wait.
 */
export interface WaitLimit {
  /** The longest server-requested wait accepted, in ms (`maxRetryAfterMs`). */
  readonly maxRetryAfterMs: number;
  /** The call's total deadline, in ms (`deadlineMs`; `Infinity` for none). */
  readonly deadlineMs: number;
  /** When the call started, on the `performance.now()` clock. */
  readonly startedAt: number;
}

// Keyed by the attempt's signal: it is what every middleware below the retry handler receives
// (the context itself is copied per attempt), and the entry goes away with the attempt.
const limits = new WeakMap<AbortSignal, WaitLimit>();

/**
 * Publishes the wait limit of the attempt that runs under `signal`.
 * @param signal - The attempt's signal (the one passed down the chain in `context.options.signal`).
 * @param limit - The caller's limit.
 */
export function publishWaitLimit(signal: AbortSignal, limit: WaitLimit): void {
  limits.set(signal, limit);
}

/**
 * The wait limit published for a request's signal, or `undefined` when no retry handler above
 * published one.
 * @param signal - The request's `context.options.signal`.
 */
export function readWaitLimit(signal: AbortSignal | null | undefined): WaitLimit | undefined {
  return signal == null ? undefined : limits.get(signal);
}

/** What {@link refuseWait} puts in the error. */
export interface RefusedWaitInit {
  /** The status that asked for the wait (429 or 503). */
  readonly statusCode: number;
  /** The request's `client-request-id`, when known. */
  readonly clientRequestId?: string | null;
}

/**
 * The error for a server-requested wait the caller does not accept, or `undefined` when it
 * accepts it. The retry handler's rule: longer than `maxRetryAfterMs` fails with
 * `RetryAfterTooLongError`; a wait that would not end before the deadline fails with
 * `DeadlineExceededError`.
 * @param limit - The caller's limit.
 * @param waitMs - The wait, in ms.
 * @param init - Status and ids for the error.
 */
export function refuseWait(limit: WaitLimit, waitMs: number, init: RefusedWaitInit): GraphRequestError | undefined {
  const ids = { clientRequestId: init.clientRequestId ?? null };
  if (waitMs > limit.maxRetryAfterMs) {
    return new RetryAfterTooLongError(init.statusCode, waitMs, limit.maxRetryAfterMs, ids);
  }
  if (performance.now() - limit.startedAt + waitMs >= limit.deadlineMs) return new DeadlineExceededError(limit.deadlineMs, ids);
  return undefined;
}
