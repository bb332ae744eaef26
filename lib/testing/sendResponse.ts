import type { OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { ResponseIds } from "./graphErrorBody.js";

/** The `x-ms-ags-diagnostic` header value: a small JSON string, as Graph sends. */
export const AGS_DIAGNOSTIC = JSON.stringify({
  ServerInfo: { DataCenter: "Local Emulator", Slice: "E", Ring: "0", ScaleUnit: "000", RoleInstance: "msgraph-emulator" },
});

/** How a response body is written after the headers. */
export type BodyDelivery =
  /** At once. */
  | { readonly kind: "whole" }
  /** Never: the headers are flushed and the response is handed to `hold` (which ends it on close). */
  | { readonly kind: "stall"; readonly hold: (res: ServerResponse) => void }
  /** `chunkBytes` at a time, `intervalMs` apart; pending timers live in `timers` (cleared on close). */
  | { readonly kind: "trickle"; readonly chunkBytes: number; readonly intervalMs: number; readonly timers: Set<NodeJS.Timeout> };

const WHOLE: BodyDelivery = { kind: "whole" };

/**
 * Writes a response with the headers every Graph response carries: `request-id`,
 * `client-request-id`, `x-ms-ags-diagnostic` and (from Node) `Date`; plus `Content-Type:
 * application/json` and `Content-Length` when there is a body, which is written as `delivery`
 * says. Does nothing when the response already started or the connection is gone.
 * @param res - The response.
 * @param status - The status code.
 * @param ids - The request's ids.
 * @param body - The JSON text, or `undefined` for no body.
 * @param headers - Extra headers.
 * @param delivery - How the body is written. @default at once
 * @returns Whether the response was started.
 */
export function sendResponse(
  res: ServerResponse,
  status: number,
  ids: ResponseIds,
  body: string | undefined,
  headers: OutgoingHttpHeaders = {},
  delivery: BodyDelivery = WHOLE,
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
  const bytes = Buffer.from(body);
  all["Content-Type"] = "application/json";
  all["Content-Length"] = bytes.byteLength;
  res.writeHead(status, all);
  switch (delivery.kind) {
    case "whole":
      res.end(bytes);
      break;
    case "stall":
      res.flushHeaders();
      delivery.hold(res);
      break;
    case "trickle":
      res.flushHeaders();
      trickle(res, bytes, 0, delivery);
      break;
  }
  return true;
}

function trickle(res: ServerResponse, bytes: Buffer, offset: number, delivery: Extract<BodyDelivery, { kind: "trickle" }>): void {
  const timer = setTimeout(() => {
    delivery.timers.delete(timer);
    if (res.destroyed) return;
    const next = Math.min(offset + delivery.chunkBytes, bytes.byteLength);
    if (next === bytes.byteLength) {
      res.end(bytes.subarray(offset));
      return;
    }
    res.write(bytes.subarray(offset, next));
    trickle(res, bytes, next, delivery);
  }, delivery.intervalMs);
  delivery.timers.add(timer);
}
