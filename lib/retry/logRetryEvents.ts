import { log, type GraphLogger } from "../chain/logger.js";
import { redactSecrets } from "../chain/redactSecrets.js";
import type { ResilientRetryHandler } from "./ResilientRetryHandler.js";
import type { Disposable, GiveUpEvent, RetryEvent } from "./retryEvents.js";

/**
 * Logs a retry (`info`). Events carry a redacted URL and no headers.
 * @param logger - The logger, if any.
 * @param event - The retry event.
 */
export function logRetry(logger: GraphLogger | undefined, event: RetryEvent): void {
  if (logger === undefined) return;
  const cause = `${event.reason}${event.status === null ? "" : ` ${event.status}`}`;
  log(logger, "info", `Graph retry ${event.attempt} of ${event.method} ${event.url} in ${Math.round(event.delayMs)} ms (${cause}, ${event.delaySource})`, {
    clientRequestId: event.clientRequestId,
    requestId: event.requestId,
    status: event.status,
    attempt: event.attempt,
    delayMs: event.delayMs,
  });
}

/**
 * Logs a give-up (`warn`), with the error's name and redacted message.
 * @param logger - The logger, if any.
 * @param event - The give-up event.
 */
export function logGiveUp(logger: GraphLogger | undefined, event: GiveUpEvent): void {
  if (logger === undefined) return;
  const error = event.error instanceof Error ? ` (${event.error.name}: ${redactSecrets(event.error.message)})` : "";
  log(logger, "warn", `Graph gave up on ${event.method} ${event.url} after ${event.attempts} attempt(s): ${event.reason}${error}`, {
    clientRequestId: event.clientRequestId,
    requestId: event.requestId,
    status: event.status,
    attempts: event.attempts,
    reason: event.reason,
  });
}

/**
 * Logs a handler's retries and give-ups, for a handler built without a `logger` option.
 * @param handler - The retry handler.
 * @param logger - The logger.
 * @returns A disposable that stops logging.
 */
export function logRetryEvents(handler: ResilientRetryHandler, logger: GraphLogger): Disposable {
  const retries = handler.onRetry((event) => logRetry(logger, event));
  const giveUps = handler.onGiveUp((event) => logGiveUp(logger, event));
  return { dispose: () => (retries.dispose(), giveUps.dispose()) };
}
