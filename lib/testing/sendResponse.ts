import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { ResponseIds } from "./graphErrorBody.js";

/** The `x-ms-ags-diagnostic` header value: a small JSON string, as Graph sends. */
export const AGS_DIAGNOSTIC = JSON.stringify({
  ServerInfo: { DataCenter: "Local Emulator", Slice: "E", Ring: "0", ScaleUnit: "000", RoleInstance: "msgraph-emulator" },
});

/**
 * Writes a whole response with the headers every Graph response carries: `request-id`,
 * `client-request-id`, `x-ms-ags-diagnostic` and (from Node) `Date`; plus `Content-Type:
 * application/json` when there is a body. Does nothing when the response already started or the
 * connection is gone.
 * @param res - The response.
 * @param status - The status code.
 * @param ids - The request's ids.
 * @param body - The JSON text, or `undefined` for no body.
 * @param headers - Extra headers.
 * @returns Whether the response was written.
 */
export function sendResponse(
  res: ServerResponse,
  status: number,
  ids: ResponseIds,
  body: string | undefined,
  headers: OutgoingHttpHeaders = {},
): boolean {
  if (res.headersSent || res.destroyed) return false;
  const all: OutgoingHttpHeaders = {
    "request-id": ids.requestId,
    "client-request-id": ids.clientRequestId,
    "x-ms-ags-diagnostic": AGS_DIAGNOSTIC,
    ...headers,
  };
  if (body === undefined) {
    res.writeHead(status, all).end();
    return true;
  }
  all["Content-Type"] = "application/json";
  all["Content-Length"] = Buffer.byteLength(body);
  res.writeHead(status, all).end(body);
  return true;
}
