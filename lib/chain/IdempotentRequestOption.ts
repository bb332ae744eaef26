import type { MiddlewareOptions } from "@microsoft/microsoft-graph-client";

/**
 * Marks one request as safe to repeat, passed through `.middlewareOptions([...])`. The retry
 * handler then retries it after network failures even when its method (PATCH, POST) is not
 * idempotent by definition. `softwareUpdateStatusSummary().update()` adds it because its PATCH
 * sets absolute values, so sending it twice leaves the same state.
 */
export class IdempotentRequestOption implements MiddlewareOptions {
  /**
   * @param idempotent - Whether the request may be repeated. @default true
   */
  constructor(readonly idempotent: boolean = true) {}
}
