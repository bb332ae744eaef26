import type { Context, MiddlewareOptions } from "@microsoft/microsoft-graph-client";
import { getMiddlewareOption } from "./middlewareOption.js";

/**
 * A per-request record that our handlers fill in, passed through the official
 * `.middlewareOptions([...])`.
 *
 * Why it exists: the official `GraphRequest` flattens any error a middleware throws into a plain
 * `GraphError` (losing its class and fields). Handlers therefore also store the typed error here,
 * and `softwareUpdateStatusSummary()` re-throws it. Users of `client.api()` can pass their own
 * `RequestTrace` to get the same detail.
 */
export class RequestTrace implements MiddlewareOptions {
  /** Attempts sent so far (0 until the first one). */
  attempts = 0;
  /** Failures that were retried, oldest first (statuses as `GraphRequestError`, network errors as `GraphNetworkError`). */
  readonly causes: unknown[] = [];
  /** The typed error a handler threw, if the call ended with one. */
  error: unknown = undefined;
  /** Total time spent waiting between attempts, in milliseconds. */
  waitedMs = 0;
  /** Total time spent queued by the throttle, in milliseconds. */
  queuedMs = 0;
}

/**
 * Returns the `RequestTrace` attached to this request, if any.
 * @param context - The middleware context.
 */
export function getRequestTrace(context: Context): RequestTrace | undefined {
  return getMiddlewareOption(context, RequestTrace);
}
