import { graphResponseDate, parseGraphErrorBody } from "../chain/graphErrorBody.js";
import { GraphRequestError } from "../errors/GraphRequestError.js";
import { ERROR_BODY_READ_BYTES, readBodyText } from "../chain/readBodyText.js";
import { redactSecrets } from "../chain/redactSecrets.js";

/** What the retry handler knows about a failed call when it records a status failure. */
export interface StatusErrorContext {
  /** The `client-request-id` of the logical call. */
  readonly clientRequestId: string | null;
  /** Attempts made so far, this one included. */
  readonly attempts: number;
  /** The parsed server delay, if any. */
  readonly retryAfterMs: number | undefined;
}

/**
 * A {@link GraphRequestError} snapshot of an error response: status, Graph's `error.code`,
 * `request-id` (header first, then `innerError`), date, body and `retryAfterMs`. It carries no
 * headers, so it is safe to put in events and traces.
 * @param response - The error response (its body is not read here).
 * @param bodyText - The body (or its start), read by the caller, or `null`.
 * @param context - Call details.
 */
export function statusError(response: Response, bodyText: string | null, context: StatusErrorContext): GraphRequestError {
  const inner = parseGraphErrorBody(bodyText);
  const requestId = response.headers.get("request-id") ?? inner?.requestId ?? null;
  const date = graphResponseDate(response.headers.get("date"), inner?.date);
  const message =
    `${response.status}${inner?.code === undefined ? "" : ` ${inner.code}`}: ${inner?.message ?? (response.statusText || "request failed")}` +
    (requestId === null ? "" : ` (request-id: ${requestId})`);
  return new GraphRequestError(response.status, redactSecrets(message), {
    code: inner?.code ?? null,
    requestId,
    clientRequestId: context.clientRequestId,
    date,
    body: bodyText,
    retryAfterMs: context.retryAfterMs,
    attempts: context.attempts,
  });
}

/**
 * Reads the start of an error body (at most `ERROR_BODY_READ_BYTES`, 64 KiB: enough for any Graph
 * error) through a clone, so the response itself stays unread for whoever gets it next, and never
 * throws (a body that fails to arrive, or does not arrive before `signal` aborts, yields `null`).
 * The error built from it keeps at most 4096 characters.
 * @param response - The error response.
 * @param signal - Stops waiting for the body.
 */
export async function readErrorBody(response: Response, signal: AbortSignal): Promise<string | null> {
  if (response.body === null || response.bodyUsed) return null;
  try {
    return (await readBodyText(response.clone(), ERROR_BODY_READ_BYTES, signal)).text;
  } catch {
    return null;
  }
}

/**
 * Frees a response that will not be used (so its socket returns to the pool); never throws.
 * @param response - The discarded response.
 */
export function discardResponse(response: Response): void {
  if (response.body === null || response.bodyUsed) return;
  void response.body.cancel().catch(() => undefined);
}
