import { GraphRequestError, type GraphRequestErrorInit } from "./GraphRequestError.js";
import { brandError, brandGuard } from "./brand.js";

/**
 * What kind of transport failure happened. `"cors-or-network"` is a browser's opaque failure
 * (`TypeError: Failed to fetch` and its kin): the browser hides whether CORS refused the
 * response or the host was unreachable.
 */
export type NetworkFailureKind =
  | "connection-reset"
  | "connection-refused"
  | "timeout"
  | "socket-closed"
  | "dns"
  | "cors-or-network"
  | "unknown";

/**
 * No HTTP response was received: the connection was reset or refused, the socket closed, or
 * `fetch` failed. `statusCode` is -1 (as in the official client) and `cause` holds the
 * original error, so a bare `TypeError: fetch failed` never reaches the caller.
 */
export class GraphNetworkError extends GraphRequestError {
  /** The classified failure. */
  readonly kind: NetworkFailureKind;

  /**
   * @param kind - The classified failure.
   * @param message - Human-readable message.
   * @param init - The remaining fields; `cause` should be the original error.
   */
  constructor(kind: NetworkFailureKind, message: string, init: GraphRequestErrorInit = {}) {
    super(-1, message, { code: "NetworkError", ...init });
    brandError(this, "GraphNetworkError");
    this.kind = kind;
  }
}

/** True for a `GraphNetworkError` (or a subclass), also one made by another copy of this package (ESM and CommonJS), where `instanceof` is false. */
export const isGraphNetworkError = brandGuard<GraphNetworkError>("GraphNetworkError");
