import { GraphClientError } from "@microsoft/microsoft-graph-client";
import { brandError, brandGuard } from "./brand.js";

/** One problem found in an input, with where it is. */
export interface ValidationIssue {
  /** Where the problem is, e.g. `compliantDeviceCount`, `budgets[0].limit` or `(root)`. */
  readonly path: string;
  /** What is wrong, in one sentence. */
  readonly message: string;
}

/**
 * The message of an error that lists problems: a heading, then one `path: message` line per issue.
 * Shared by {@link ValidationError} and `InvalidOptionsError`, so both read the same.
 * @param what - What was being checked, e.g. "ThrottleHandler options".
 * @param issues - Every problem found.
 */
export function formatIssues(what: string, issues: readonly ValidationIssue[]): string {
  return (
    `Invalid ${what} (${issues.length} problem${issues.length === 1 ? "" : "s"}):\n` +
    issues.map((issue) => `  - ${issue.path}: ${issue.message}`).join("\n")
  );
}

/**
 * An input was rejected on the client before any request was sent. `issues` lists every
 * problem found, not only the first.
 */
export class ValidationError extends GraphClientError {
  /** Every problem found, in a stable order. */
  readonly issues: readonly ValidationIssue[];

  /**
   * @param what - What was being validated, e.g. "softwareUpdateStatusSummary patch".
   * @param issues - Every problem found (at least one).
   */
  constructor(what: string, issues: readonly ValidationIssue[]) {
    super(formatIssues(what, issues));
    Object.setPrototypeOf(this, new.target.prototype);
    brandError(this, "ValidationError");
    this.name = "ValidationError";
    this.issues = Object.freeze([...issues]);
  }
}

/** True for a `ValidationError` (or a subclass), also one made by another copy of this package (ESM and CommonJS), where `instanceof` is false. */
export const isValidationError = brandGuard<ValidationError>("ValidationError");
