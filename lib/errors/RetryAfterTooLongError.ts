import { GraphRequestError, type GraphRequestErrorInit } from "./GraphRequestError.js";
import { brandError, brandGuard } from "./brand.js";

/**
 * The server asked to wait longer than `maxRetryAfterMs`, so the call gave up at once instead
 * of silently clipping the wait (as the stock `RetryHandler` does at 180 s).
 */
export class RetryAfterTooLongError extends GraphRequestError {
  /** The largest wait the caller allows, in milliseconds. */
  readonly maxRetryAfterMs: number;

  /**
   * @param statusCode - The status that carried the `Retry-After`.
   * @param retryAfterMs - How long the server asked to wait.
   * @param maxRetryAfterMs - The configured cap.
   * @param init - The remaining fields.
   */
  constructor(statusCode: number, retryAfterMs: number, maxRetryAfterMs: number, init: GraphRequestErrorInit = {}) {
    super(
      statusCode,
      `The server asked to retry after ${(retryAfterMs / 1000).toFixed(3)} s, longer than maxRetryAfterMs (${maxRetryAfterMs} ms)` +
        (init.requestId ? ` (request-id: ${init.requestId})` : ""),
      { code: "RetryAfterTooLong", ...init, retryAfterMs },
    );
    brandError(this, "RetryAfterTooLongError");
    this.maxRetryAfterMs = maxRetryAfterMs;
  }
}

/** True for a `RetryAfterTooLongError` (or a subclass), also one made by another copy of this package (ESM and CommonJS), where `instanceof` is false. */
export const isRetryAfterTooLongError = brandGuard<RetryAfterTooLongError>("RetryAfterTooLongError");
