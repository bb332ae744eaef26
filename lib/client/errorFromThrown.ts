import { GraphClientError, GraphError } from "@microsoft/microsoft-graph-client";
import { GraphNetworkError } from "../errors/GraphNetworkError.js";
import { GraphRequestError } from "../errors/GraphRequestError.js";
import { classifyFlattenedNetworkFailure, networkFailureHint } from "../chain/classifyNetworkError.js";
import { redactSecrets } from "../chain/redactSecrets.js";
import { withCallIds } from "./formatCallIds.js";
import type { PreparedGraphCall } from "./prepareGraphCall.js";

/**
 * Turns whatever the official `GraphRequest.send()` threw into what the caller should see:
 * 1. the call's `signal.reason` when the caller aborted;
 * 2. the typed error our middleware stored in the `RequestTrace` (the official request flattens
 *    middleware errors into a plain `GraphError`);
 * 3. a `GraphRequestError`/`GraphClientError` as it is (typed already, or a configuration error);
 * 4. a `GraphNetworkError` for a network failure (`TypeError: fetch failed` and the like, as the
 *    stock chain lets through), with the original as `cause`;
 * 5. a `TypeError` that is no failed fetch (an invalid URL, header or option) as a
 *    `GraphRequestError` that says the request was invalid, never as a network failure;
 * 6. anything else as a `GraphRequestError` with the original as `cause`.
 * Messages taken from the thrown error pass through `redactSecrets` (a runtime's header error
 * quotes the header value).
 * @param thrown - What was thrown.
 * @param call - The call that failed.
 */
export function errorFromThrown(thrown: unknown, call: PreparedGraphCall): unknown {
  if (call.signal?.aborted === true) return call.signal.reason;
  if (call.trace.error !== undefined) return call.trace.error;
  if (thrown instanceof GraphRequestError || thrown instanceof GraphClientError) return thrown;

  const name = thrown instanceof GraphError ? thrown.code : thrown instanceof Error ? thrown.name : undefined;
  const message = redactSecrets(thrown instanceof Error ? thrown.message : String(thrown));
  const statusCode = thrown instanceof GraphError ? thrown.statusCode : -1;
  const ids = { requestId: null, clientRequestId: call.clientRequestId, date: new Date() };
  const init = {
    clientRequestId: call.clientRequestId,
    date: ids.date,
    attempts: Math.max(call.trace.attempts, 1),
    causes: [...call.trace.causes],
    cause: thrown,
  };
  const kind = statusCode === -1 ? classifyFlattenedNetworkFailure(name, message, thrown instanceof Error ? thrown.stack : undefined, causeText(thrown)) : undefined;
  if (kind !== undefined) {
    return new GraphNetworkError(kind, withCallIds(`Network failure calling Microsoft Graph: ${message}${networkFailureHint(kind)}`, ids), init);
  }
  const text = statusCode === -1 && name === "TypeError" ? `Invalid request (not a network failure): ${message}` : message || "The Graph call failed";
  return new GraphRequestError(statusCode, withCallIds(text, ids), { code: name ?? null, ...init });
}

function causeText(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  if (cause === undefined || cause === null) return undefined;
  const code = (cause as { code?: unknown }).code;
  return `${typeof code === "string" ? code : ""} ${cause instanceof Error ? cause.message : String(cause)}`;
}
