import { graphResponseDate, parseGraphErrorBody } from "../chain/graphErrorBody.js";
import { GraphRequestError } from "../errors/GraphRequestError.js";
import { parseRetryAfter } from "../chain/parseRetryAfter.js";
import { redactSecrets } from "../chain/redactSecrets.js";
import { withCallIds } from "./formatCallIds.js";
import type { PreparedGraphCall } from "./prepareGraphCall.js";

const SNIPPET_LENGTH = 200;

/** The body of a response as read: its text, or why it could not be read. */
export type BodyRead = { readonly text: string } | { readonly failure: unknown };

/**
 * Builds the error for a response: Graph's `error.code` and message when the body is a Graph
 * error, else code `HttpError` with the status and a short snippet. The message ends with the
 * request-id, client-request-id and date. Request headers (the token) are never included.
 * @param response - The raw response.
 * @param body - Its body as read.
 * @param call - The call it answers.
 * @param problem - Overrides the code and message (for a 2xx whose body is unusable).
 */
export function errorFromResponse(
  response: Response,
  body: BodyRead,
  call: PreparedGraphCall,
  problem?: { readonly code: string; readonly message: string },
): GraphRequestError {
  const text = "text" in body ? body.text : null;
  const graph = text === null ? undefined : parseGraphErrorBody(text);
  const requestId = response.headers.get("request-id") ?? graph?.requestId ?? null;
  const date = graphResponseDate(response.headers.get("date"), graph?.date) ?? new Date();
  const code = problem?.code ?? graph?.code ?? "HttpError";
  const message =
    problem?.message ??
    graph?.message ??
    (graph === undefined ? describeUnexpectedBody(response, body) : `Graph answered ${response.status} with error code ${code}`);
  return new GraphRequestError(response.status, withCallIds(redactSecrets(message), { requestId, clientRequestId: call.clientRequestId, date }), {
    code,
    requestId,
    clientRequestId: call.clientRequestId,
    date,
    body: text === null || text === "" ? null : text,
    headers: response.headers,
    retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
    attempts: Math.max(call.trace.attempts, 1),
    causes: [...call.trace.causes],
    cause: "failure" in body ? body.failure : undefined,
  });
}

/**
 * Describes a response whose body is not a Graph error: status, and an excerpt of the body or
 * why it could not be read.
 * @param response - The raw response.
 * @param body - Its body as read.
 * @param expected - What the body should have been. @default "a Graph error"
 */
export function describeUnexpectedBody(response: Response, body: BodyRead, expected = "a Graph error"): string {
  const status = `Graph answered ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  if ("failure" in body) {
    const reason = body.failure instanceof Error ? body.failure.message : String(body.failure);
    return `${status} and the body could not be read (${reason})`;
  }
  const compact = body.text.replace(/\s+/g, " ").trim();
  if (compact === "") return `${status} with an empty body`;
  const snippet = compact.length > SNIPPET_LENGTH ? `${compact.slice(0, SNIPPET_LENGTH)}…` : compact;
  return `${status} with a body that is not ${expected}: ${JSON.stringify(snippet)}`;
}
