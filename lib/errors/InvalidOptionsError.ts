import { GraphClientError } from "@microsoft/microsoft-graph-client";
import { brandError, brandGuard } from "./brand.js";
import { formatIssues, type ValidationIssue } from "./ValidationError.js";

/**
 * A configuration option is invalid; thrown when the client, a handler or a store is built.
 * `issues` lists every problem found (each with the option's path, e.g. `adaptive.minRate`), and
 * the message lists them all, so one run shows everything to fix.
 */
export class InvalidOptionsError extends GraphClientError {
  /** Every problem found, in the order the options were checked. */
  readonly issues: readonly ValidationIssue[];

  /**
   * @param what - What was checked, e.g. "ThrottleHandler options"; with no `issues`, the whole message.
   * @param issues - Every problem found. Without it, `what` is one problem about the whole input (path `(root)`).
   */
  constructor(what: string, issues?: readonly ValidationIssue[]) {
    super(issues === undefined ? what : formatIssues(what, issues));
    Object.setPrototypeOf(this, new.target.prototype);
    brandError(this, "InvalidOptionsError");
    this.name = "InvalidOptionsError";
    this.issues = Object.freeze(issues === undefined ? [{ path: "(root)", message: what }] : [...issues]);
  }
}

/** True for an `InvalidOptionsError` (or a subclass), also one made by another copy of this package (ESM and CommonJS), where `instanceof` is false. */
export const isInvalidOptionsError = brandGuard<InvalidOptionsError>("InvalidOptionsError");
