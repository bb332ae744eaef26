import { GraphRequestError, type GraphRequestErrorInit } from "../errors/GraphRequestError.js";

/** The `code` of the {@link GraphRequestError} for a response body above the size limit. */
export const RESPONSE_TOO_LARGE = "ResponseTooLarge";

/**
 * The error for a response whose body passed `maxBytes`: a {@link GraphRequestError} with the
 * response's status, code `ResponseTooLarge` and Graph's `request-id`. No body is kept.
 * @param response - The response (only its status and headers are read).
 * @param maxBytes - The limit it passed.
 * @param init - Call details (client-request-id, attempts, causes).
 * @param withIds - Adds the call's ids to the message. @default appends the request-id when known
 */
export function responseTooLargeError(
  response: Response,
  maxBytes: number,
  init: GraphRequestErrorInit = {},
  withIds?: (message: string, requestId: string | null) => string,
): GraphRequestError {
  const requestId = response.headers.get("request-id");
  const message = `Graph answered ${response.status} with a body larger than the limit of ${maxBytes} bytes; it was not read to the end`;
  const full = withIds?.(message, requestId) ?? (requestId === null ? message : `${message} (request-id: ${requestId})`);
  return new GraphRequestError(response.status, full, { requestId, ...init, code: RESPONSE_TOO_LARGE, body: null });
}
