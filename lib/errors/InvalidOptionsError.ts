import { GraphClientError } from "@microsoft/microsoft-graph-client";

/** A configuration option is invalid; thrown when the client or a handler is built. */
export class InvalidOptionsError extends GraphClientError {
  /**
   * @param message - What is wrong and how to fix it.
   */
  constructor(message: string) {
    super(message);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = "InvalidOptionsError";
  }
}
