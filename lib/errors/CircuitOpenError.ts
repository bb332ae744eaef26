import { GraphRequestError, type GraphRequestErrorInit } from "./GraphRequestError.js";
import { brandError, brandGuard } from "./brand.js";

/** The circuit for a key is open (the service kept failing); the request was refused at once and nothing was sent. */
export class CircuitOpenError extends GraphRequestError {
  /** The circuit key: `tenant/app@host` (never a token). */
  readonly key: string;
  /** How long until the circuit lets one probe through, in milliseconds. */
  readonly retryInMs: number;

  /**
   * @param key - The circuit key.
   * @param retryInMs - How long until a probe may go out.
   * @param init - The remaining fields.
   */
  constructor(key: string, retryInMs: number, init: GraphRequestErrorInit = {}) {
    super(-1, `Circuit for "${key}" is open; request refused without being sent (a probe may go out in ${Math.ceil(retryInMs)} ms)`, {
      code: "CircuitOpen",
      ...init,
    });
    brandError(this, "CircuitOpenError");
    this.key = key;
    this.retryInMs = retryInMs;
  }
}

/** True for a `CircuitOpenError` (or a subclass), also one made by another copy of this package (ESM and CommonJS), where `instanceof` is false. */
export const isCircuitOpenError = brandGuard<CircuitOpenError>("CircuitOpenError");
