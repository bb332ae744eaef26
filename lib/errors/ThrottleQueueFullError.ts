import { GraphRequestError, type GraphRequestErrorInit } from "./GraphRequestError.js";
import { brandError, brandGuard } from "./brand.js";

/** The throttle queue for a key is full; the request was refused at once and nothing was sent. */
export class ThrottleQueueFullError extends GraphRequestError {
  /** The throttle key whose queue is full (tenant/app, never a token). */
  readonly key: string;
  /** The configured queue limit. */
  readonly maxQueue: number;

  /**
   * @param key - The throttle key.
   * @param maxQueue - The configured queue limit.
   * @param init - The remaining fields.
   */
  constructor(key: string, maxQueue: number, init: GraphRequestErrorInit = {}) {
    super(-1, `Throttle queue for "${key}" is full (${maxQueue} waiting); request refused without being sent`, {
      code: "ThrottleQueueFull",
      ...init,
    });
    brandError(this, "ThrottleQueueFullError");
    this.key = key;
    this.maxQueue = maxQueue;
  }
}

/** True for a `ThrottleQueueFullError` (or a subclass), also one made by another copy of this package (ESM and CommonJS), where `instanceof` is false. */
export const isThrottleQueueFullError = brandGuard<ThrottleQueueFullError>("ThrottleQueueFullError");
