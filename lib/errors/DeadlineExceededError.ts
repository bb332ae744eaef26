import { GraphRequestError, type GraphRequestErrorInit } from "./GraphRequestError.js";
import { brandError, brandGuard } from "./brand.js";

/** The call ran out of its total `deadlineMs` across all attempts and waits. */
export class DeadlineExceededError extends GraphRequestError {
  /** The total deadline that elapsed, in milliseconds. */
  readonly deadlineMs: number;

  /**
   * @param deadlineMs - The total deadline that elapsed.
   * @param init - The remaining fields.
   */
  constructor(deadlineMs: number, init: GraphRequestErrorInit = {}) {
    super(-1, `The call did not complete within its deadline of ${deadlineMs} ms`, { code: "DeadlineExceeded", ...init });
    brandError(this, "DeadlineExceededError");
    this.deadlineMs = deadlineMs;
  }
}

/** True for a `DeadlineExceededError` (or a subclass), also one made by another copy of this package (ESM and CommonJS), where `instanceof` is false. */
export const isDeadlineExceededError = brandGuard<DeadlineExceededError>("DeadlineExceededError");
