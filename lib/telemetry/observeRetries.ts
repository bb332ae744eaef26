import type { ResilientRetryHandler } from "../retry/ResilientRetryHandler.js";
import { instruments } from "./instruments.js";
import { openTelemetry } from "./openTelemetry.js";

/**
 * Counts a retry handler's retries and give-ups by reason (and status), while an SDK is registered.
 * @param retry - The chain's retry handler.
 */
export function observeRetries(retry: ResilientRetryHandler): void {
  retry.onRetry((event) => {
    void openTelemetry()?.then((api) => {
      if (api === undefined) return;
      instruments(api).retries.add(1, { "msgraph.retry.reason": event.reason, ...(event.status === null ? {} : { "http.response.status_code": event.status }) });
    });
  });
  retry.onGiveUp((event) => {
    void openTelemetry()?.then((api) => {
      if (api === undefined) return;
      instruments(api).giveUps.add(1, { "msgraph.give_up.reason": event.reason, ...(event.status === null ? {} : { "http.response.status_code": event.status }) });
    });
  });
}
