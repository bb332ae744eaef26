import { GraphClientError } from "@microsoft/microsoft-graph-client";
import { brandError, brandGuard } from "./brand.js";

/** A configuration option is invalid; thrown when the client or a handler is built. */
export class InvalidOptionsError extends GraphClientError {
  /**
   * @param message - What is wrong and how to fix it.
   */
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
    brandError(this, "InvalidOptionsError");
    this.name = "InvalidOptionsError";
  }
}

/** True for an `InvalidOptionsError` (or a subclass), also one made by another copy of this package (ESM and CommonJS), where `instanceof` is false. */
export const isInvalidOptionsError = brandGuard<InvalidOptionsError>("InvalidOptionsError");
