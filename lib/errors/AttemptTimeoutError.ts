import { GraphNetworkError } from "./GraphNetworkError.js";
import type { GraphRequestErrorInit } from "./GraphRequestError.js";
import { brandError, brandGuard } from "./brand.js";

/** One attempt got no response within `attemptTimeoutMs` (a server that hangs). */
export class AttemptTimeoutError extends GraphNetworkError {
  /** The per-attempt timeout that elapsed, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * @param timeoutMs - The per-attempt timeout that elapsed.
   * @param init - The remaining fields.
   */
  constructor(timeoutMs: number, init: GraphRequestErrorInit = {}) {
    super("timeout", `No response within the attempt timeout of ${timeoutMs} ms`, { code: "AttemptTimeout", ...init });
    brandError(this, "AttemptTimeoutError");
    this.timeoutMs = timeoutMs;
  }
}

/** True for an `AttemptTimeoutError` (or a subclass), also one made by another copy of this package (ESM and CommonJS), where `instanceof` is false. */
export const isAttemptTimeoutError = brandGuard<AttemptTimeoutError>("AttemptTimeoutError");
