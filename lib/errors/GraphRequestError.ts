import { GraphError } from "@microsoft/microsoft-graph-client";
import { boundErrorBody, causeWithoutBody } from "./boundedErrorBody.js";
import { brandError, brandGuard } from "./brand.js";

/** Fields shared by every error this package raises for a Graph call. */
export interface GraphRequestErrorInit {
  /** Graph's `error.code` (or our own code for client-side failures). */
  code?: string | null;
  /** The `request-id` Graph assigned, when a response was received. */
  requestId?: string | null;
  /** The `client-request-id` sent with the request; the same across retries. */
  clientRequestId?: string | null;
  /** The response `Date` (or Graph's `innerError.date`); now when unknown. */
  date?: Date;
  /** The raw error body as text, or `null` when there was none; kept up to 4096 characters (then marked `…[truncated]`). */
  body?: string | null;
  /** Response headers, when a response was received. */
  headers?: Headers;
  /** The parsed `Retry-After`, in milliseconds, when the server sent one. */
  retryAfterMs?: number;
  /** How many attempts were made in total (1 when the request was not retried). */
  attempts?: number;
  /** Earlier failures of the same logical call, oldest first (retried statuses and network errors); kept without their bodies. */
  causes?: readonly unknown[];
  /** The underlying error, when this one wraps another. */
  cause?: unknown;
}

/**
 * A failed Graph call. It is an official `GraphError` (same `statusCode`, `code`, `requestId`,
 * `date`, `body`, `headers`) with what a support case and a retry policy need on top:
 * `clientRequestId`, `retryAfterMs`, `attempts` and the chain of earlier `causes`.
 *
 * Its size stays bounded whatever the server sent: `body` keeps at most 4096 characters, and
 * `causes` are kept without bodies (copies, when they had one).
 */
export class GraphRequestError extends GraphError {
  /** The `client-request-id` of the logical call (stable across retries). */
  clientRequestId: string | null;
  /** The server's `Retry-After` in milliseconds, if one was sent. */
  retryAfterMs: number | undefined;
  /** Total number of attempts made for this call. */
  attempts: number;
  /** Earlier failures of this call, oldest first, without their bodies. */
  causes: readonly unknown[];

  /**
   * @param statusCode - HTTP status, or -1 when no response was received.
   * @param message - Human-readable message; should include the request-id when known.
   * @param init - The remaining fields.
   */
  constructor(statusCode: number, message: string, init: GraphRequestErrorInit = {}) {
    super(statusCode, message);
    // GraphError pins its own prototype; restore the subclass chain so `instanceof` works.
    Object.setPrototypeOf(this, new.target.prototype);
    brandError(this, "GraphRequestError");
    this.name = new.target.name;
    this.code = init.code ?? null;
    this.requestId = init.requestId ?? null;
    this.clientRequestId = init.clientRequestId ?? null;
    this.date = init.date ?? new Date();
    this.body = boundErrorBody(init.body ?? null);
    if (init.headers !== undefined) this.headers = init.headers;
    this.retryAfterMs = init.retryAfterMs;
    this.attempts = init.attempts ?? 1;
    this.causes = (init.causes ?? []).map(causeWithoutBody);
    if (init.cause !== undefined) (this as { cause?: unknown }).cause = init.cause;
  }
}

/** True for a `GraphRequestError` (or a subclass), also one made by another copy of this package (ESM and CommonJS), where `instanceof` is false. */
export const isGraphRequestError = brandGuard<GraphRequestError>("GraphRequestError");
