import type { GraphRequest } from "@microsoft/microsoft-graph-client";
import { ERROR_BODY_READ_BYTES, readBodyText, type BodyText } from "../chain/readBodyText.js";
import { responseTooLargeError } from "../chain/responseTooLarge.js";
import { GraphRequestError } from "../errors/GraphRequestError.js";
import { describeUnexpectedBody, errorFromResponse, type BodyRead } from "./errorFromResponse.js";
import { errorFromThrown } from "./errorFromThrown.js";
import { withCallIds } from "./formatCallIds.js";
import type { PreparedGraphCall } from "./prepareGraphCall.js";

/**
 * Sends a prepared call and resolves to the raw `Response`, whatever its status. Anything thrown
 * on the way is mapped by `errorFromThrown`, so a bare `TypeError: fetch failed` never escapes.
 * @param call - The prepared call.
 * @param send - Runs the official request (`r => r.get()`, `r => r.patch(body)`).
 */
export async function sendRawGraphCall(call: PreparedGraphCall, send: (request: GraphRequest) => Promise<unknown>): Promise<Response> {
  if (call.signal?.aborted === true) throw call.signal.reason;
  let raw: unknown;
  try {
    raw = await send(call.request);
  } catch (thrown) {
    throw errorFromThrown(thrown, call);
  }
  if (!isResponse(raw)) {
    // A custom chain whose last middleware set no `context.response`.
    throw new GraphRequestError(-1, withCallIds("The middleware chain returned no response", { requestId: null, clientRequestId: call.clientRequestId, date: new Date() }), {
      code: "NoResponse",
      clientRequestId: call.clientRequestId,
      attempts: Math.max(call.trace.attempts, 1),
      causes: [...call.trace.causes],
    });
  }
  return raw;
}

/**
 * The most bytes of a 2xx body the client reads: the entity is under 2 KB, so this is hundreds of
 * times any valid answer while no broken or hostile answer can make a call hold more.
 */
export const MAX_ENTITY_BODY_BYTES = 1024 * 1024;

/**
 * Reads a response body as text, bounded in size and time: at most `MAX_ENTITY_BODY_BYTES` of a
 * 2xx body (a longer one throws a `GraphRequestError` with code `ResponseTooLarge`) and the start
 * of an error body (`ERROR_BODY_READ_BYTES`, the rest is not read); the caller's signal ends the
 * read at once with `signal.reason`, with or without a retry handler in the chain. A typed error
 * raised while reading (a retry handler's body guard: attempt timeout, deadline, size) is thrown
 * as it is. A body that breaks off (connection closed mid-body) gives `{ failure }`.
 * @param response - The raw response.
 * @param call - The call it answers.
 */
export async function readBody(response: Response, call: PreparedGraphCall): Promise<BodyRead> {
  const maxBytes = response.ok ? MAX_ENTITY_BODY_BYTES : ERROR_BODY_READ_BYTES;
  let read: BodyText;
  try {
    read = await readBodyText(response, maxBytes, call.signal);
  } catch (failure) {
    if (call.signal?.aborted === true) throw call.signal.reason;
    if (failure instanceof GraphRequestError) throw failure;
    return { failure };
  }
  if (!read.complete && response.ok) {
    throw responseTooLargeError(
      response,
      maxBytes,
      { clientRequestId: call.clientRequestId, attempts: Math.max(call.trace.attempts, 1), causes: [...call.trace.causes] },
      (message, requestId) => withCallIds(message, { requestId, clientRequestId: call.clientRequestId, date: new Date() }),
    );
  }
  return { text: read.text };
}

/**
 * Reads a 2xx body that must hold the entity as a JSON object, or throws a `GraphRequestError`
 * with code `InvalidResponseBody`. An empty body yields `undefined` when `allowEmpty`.
 * @param response - The raw 2xx response.
 * @param call - The call it answers.
 * @param allowEmpty - Whether an empty body is a valid answer (an update's `200` with no body).
 * @param note - Appended to the error message (e.g. that an update may have been applied).
 */
export async function readEntityBody<T>(
  response: Response,
  call: PreparedGraphCall,
  allowEmpty: boolean,
  note = "",
): Promise<T | undefined> {
  const body = await readBody(response, call);
  if (!response.ok) throw errorFromResponse(response, body, call);
  if ("text" in body && body.text.trim() === "" && allowEmpty) return undefined;
  const entity = "text" in body ? parseJsonObject(body.text) : undefined;
  if (entity === undefined) {
    const message = `${describeUnexpectedBody(response, body, "a JSON object")}; expected the softwareUpdateStatusSummary entity${note}`;
    throw errorFromResponse(response, body, call, { code: "InvalidResponseBody", message });
  }
  return entity as T;
}

function parseJsonObject(text: string): object | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
}

function isResponse(value: unknown): value is Response {
  if (typeof Response !== "undefined" && value instanceof Response) return true;
  // A polyfilled Response (isomorphic-fetch) is not the global class.
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Response).status === "number" &&
    typeof (value as Response).text === "function" &&
    typeof (value as Response).headers?.get === "function"
  );
}
