/** Identifiers every emulator response carries. */
export interface ResponseIds {
  /** The `request-id` the emulator assigned (a new UUID per request). */
  readonly requestId: string;
  /** The client's `client-request-id`, or a new UUID when it sent none. */
  readonly clientRequestId: string;
}

/**
 * The `innerError.date` format Graph uses: ISO 8601 UTC without milliseconds or zone
 * (`2020-08-18T12:51:51`).
 * @param at - The time. @default new Date()
 */
export function graphErrorDate(at: Date = new Date()): string {
  return at.toISOString().slice(0, 19);
}

/**
 * A Graph error body: `{"error":{"code","message","innerError":{"code"?,"date","request-id","client-request-id"}}}`.
 * @param code - `error.code`, e.g. `BadRequest`.
 * @param message - `error.message`, naming the problem.
 * @param ids - The request's ids.
 * @param innerCode - `innerError.code`, when Graph sends one.
 */
export function graphErrorBody(code: string, message: string, ids: ResponseIds, innerCode?: string): string {
  const innerError: Record<string, string> = {};
  if (innerCode !== undefined) innerError.code = innerCode;
  innerError.date = graphErrorDate();
  innerError["request-id"] = ids.requestId;
  innerError["client-request-id"] = ids.clientRequestId;
  return JSON.stringify({ error: { code, message, innerError } });
}

/**
 * The documented `429` body, exactly: `TooManyRequests`, "Please retry again later.", and an
 * `innerError` with code "429", date, message "Please retry after", request-id and status "429".
 * @param ids - The request's ids.
 */
export function throttledErrorBody(ids: ResponseIds): string {
  return JSON.stringify({
    error: {
      code: "TooManyRequests",
      message: "Please retry again later.",
      innerError: {
        code: "429",
        date: graphErrorDate(),
        message: "Please retry after",
        "request-id": ids.requestId,
        status: "429",
      },
    },
  });
}
