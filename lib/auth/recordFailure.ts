import type { Context } from "@microsoft/microsoft-graph-client";
import { getRequestTrace } from "../chain/RequestTrace.js";

/**
 * Stores a handler's typed error in the request's `RequestTrace` (the official `GraphRequest`
 * flattens thrown errors) and returns it for throwing.
 * @param context - The middleware context.
 * @param error - The typed error.
 */
export function recordFailure<E>(context: Context, error: E): E {
  const trace = getRequestTrace(context);
  if (trace !== undefined) trace.error = error;
  return error;
}
