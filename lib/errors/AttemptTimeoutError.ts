import { GraphNetworkError } from "./GraphNetworkError.js";
import type { GraphRequestErrorInit } from "./GraphRequestError.js";

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
    this.timeoutMs = timeoutMs;
  }
}
