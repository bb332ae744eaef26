import { log, type GraphLogger } from "../chain/logger.js";

/** Fields every batch event has. None carries a token, a header or a body. */
export interface BatchEventBase {
  /** The `client-request-id` of the `$batch` call. */
  readonly clientRequestId: string;
  /** The retryable statuses that caused it, counted by status (e.g. `{ "429": 3, "503": 1 }`). */
  readonly statuses: Readonly<Record<string, number>>;
}

/** Emitted just before the wait for a follow-up batch; the delay is already fixed. */
export interface BatchRoundEvent extends BatchEventBase {
  /** The follow-up about to be sent: 1 for the first. */
  readonly round: number;
  /** How many sub-requests it re-sends (the retryable ones and what depends on them). */
  readonly requests: number;
  /** Their ids, in the batch's order. */
  readonly ids: readonly string[];
  /** How long the step waits before it, in ms (the largest `Retry-After` asked, or backoff). */
  readonly delayMs: number;
}

/** Why the batch step stopped re-sending sub-requests that were retryable. */
export type BatchGiveUpReason =
  /** `maxRetries` follow-ups were sent. */
  | "max-retries"
  /** The wait asked is longer than `maxRetryAfterMs` (or the retry handler's limit). */
  | "retry-after-too-long"
  /** The wait would end at or past the call's deadline: the round could not finish in time. */
  | "deadline";

/** Emitted when retryable sub-requests are left with their last real status. */
export interface BatchGiveUpEvent extends BatchEventBase {
  /** Why. */
  readonly reason: BatchGiveUpReason;
  /** The sub-requests left as they are, in the batch's order. */
  readonly ids: readonly string[];
  /** Follow-up batches sent before this. */
  readonly rounds: number;
}

/** Receives {@link BatchRoundEvent}s. */
export type BatchRoundListener = (event: BatchRoundEvent) => void;
/** Receives {@link BatchGiveUpEvent}s. */
export type BatchGiveUpListener = (event: BatchGiveUpEvent) => void;

/**
 * Logs a follow-up round (`info`).
 * @param logger - The logger, if any.
 * @param event - The round event.
 */
export function logBatchRound(logger: GraphLogger | undefined, event: BatchRoundEvent): void {
  log(logger, "info", `Graph batch round ${event.round}: re-sending ${event.requests} request(s) in ${Math.round(event.delayMs)} ms (${describe(event.statuses)})`, {
    clientRequestId: event.clientRequestId,
    round: event.round,
    requests: event.requests,
    delayMs: event.delayMs,
  });
}

/**
 * Logs a give-up (`warn`).
 * @param logger - The logger, if any.
 * @param event - The give-up event.
 */
export function logBatchGiveUp(logger: GraphLogger | undefined, event: BatchGiveUpEvent): void {
  log(logger, "warn", `Graph batch gave up on ${event.ids.length} request(s) after ${event.rounds} follow-up(s): ${event.reason} (${describe(event.statuses)})`, {
    clientRequestId: event.clientRequestId,
    reason: event.reason,
    requests: event.ids.length,
    rounds: event.rounds,
  });
}

function describe(statuses: Readonly<Record<string, number>>): string {
  return Object.entries(statuses)
    .map(([status, count]) => `${count}x ${status}`)
    .join(", ");
}
