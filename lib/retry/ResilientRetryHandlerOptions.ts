import type { MiddlewareOptions } from "@microsoft/microsoft-graph-client";
import type { ResilientRetryOptions } from "./ResilientRetryOptions.js";
import { resolveRetryOptions } from "./resolveRetryOptions.js";

/**
 * Per-request overrides of the {@link ResilientRetryHandler}'s options, passed through the
 * official `.middlewareOptions([...])`. Fields left out keep the handler's values.
 *
 * @example
 * ```ts
 * await client.api(url).middlewareOptions([new ResilientRetryHandlerOptions({ maxRetries: 0 })]).get();
 * ```
 */
export class ResilientRetryHandlerOptions implements MiddlewareOptions {
  /** The overrides, validated. */
  readonly overrides: Readonly<Partial<ResilientRetryOptions>>;

  /**
   * @param overrides - Options that replace the handler's for this request.
   * @throws InvalidOptionsError - When an override is invalid or unknown.
   */
  constructor(overrides: Partial<ResilientRetryOptions> = {}) {
    resolveRetryOptions(undefined, overrides);
    this.overrides = Object.freeze({ ...overrides });
  }
}
