import type { Context } from "@microsoft/microsoft-graph-client";
import { classifyNetworkError } from "../chain/classifyNetworkError.js";
import type { BreakerOutcome } from "../throttle/BreakerStore.js";

/**
 * What one attempt says about the service's health: 5xx and 408 are failures; 429 is throttling
 * and every other status a success (the service answered). A network failure is a failure; an
 * attempt cut by its own timeout is one too, while one aborted by the caller or the deadline, or
 * an error that is no network failure (a refusal by a handler below), says nothing.
 * @param context - The attempt's context after the chain below ran.
 * @param thrown - What the chain below threw, if it did.
 * @param threw - Whether it threw.
 */
export function judgeBreakerOutcome(context: Context, threw: boolean, thrown: unknown): BreakerOutcome {
  if (threw) {
    const signal = context.options?.signal;
    if (signal?.aborted === true) return (signal.reason as { name?: unknown } | undefined)?.name === "TimeoutError" ? "failure" : "neutral";
    return classifyNetworkError(thrown) === undefined ? "neutral" : "failure";
  }
  const status = context.response?.status;
  if (status === undefined || status === 429) return "neutral";
  return status >= 500 || status === 408 ? "failure" : "success";
}
