import { log, type GraphLogger } from "../chain/logger.js";
import { redactSecrets } from "../chain/redactSecrets.js";
import type { StoreFallbackEvent, StoreRecoverEvent } from "./StoreEvents.js";
import type { ThrottleEvent, ThrottleReason } from "./ThrottleEvents.js";

/** What an event that is not a wait says: a refusal, or something the throttle found out. */
const NOT_WAITS: Partial<Record<ThrottleReason, string>> = {
  "queue-full": "refused a request (queue full)",
  "refunds-off": "stopped refunding faulted attempts (a 429 followed a refund)",
  "budget-share": "cut this process's share of a budget (a 429 the budget did not predict)",
};

/**
 * Logs a throttle wait: cooldowns and refusals at `warn`, budget, pacing and concurrency waits at
 * `debug` (routine under load), findings (refunds off, a budget's share cut) at `info`. Events
 * name a key, tenant and app id, never a token.
 * @param logger - The logger.
 * @param event - The throttle event.
 */
export function logThrottle(logger: GraphLogger, event: ThrottleEvent): void {
  const said = NOT_WAITS[event.reason];
  const level = event.reason === "cooldown" || event.reason === "queue-full" ? "warn" : said === undefined ? "debug" : "info";
  const what = said ?? `${event.reason} wait of ${Math.round(event.waitMs)} ms`;
  log(logger, level, `Graph throttle ${what} on ${event.key}, ${event.queued} queued`, { ...event });
}

/**
 * Logs that the throttle store failed and the fallback store answers (`warn`).
 * @param logger - The logger.
 * @param event - The fallback event.
 */
export function logStoreFallback(logger: GraphLogger, event: StoreFallbackEvent): void {
  log(logger, "warn", `Graph throttle store failed on ${event.operation}, using the fallback store: ${redactSecrets(event.error.message)}`, { operation: event.operation });
}

/**
 * Logs that the throttle store works again (`info`).
 * @param logger - The logger.
 * @param event - The recovery event.
 */
export function logStoreRecover(logger: GraphLogger, event: StoreRecoverEvent): void {
  log(logger, "info", `Graph throttle store recovered after ${Math.round(event.outageMs)} ms`, { outageMs: event.outageMs });
}
