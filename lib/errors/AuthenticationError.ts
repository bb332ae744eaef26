import { GraphRequestError, type GraphRequestErrorInit } from "./GraphRequestError.js";
import { brandError, brandGuard } from "./brand.js";

/** What was wrong with getting or using the access token. */
export type AuthenticationProblem =
  /** The authentication provider threw or rejected. */
  | "provider-failed"
  /** The provider returned something that is not a string. */
  | "not-a-string"
  /** The provider returned an empty (or blank) string. */
  | "empty"
  /** The token holds characters a bearer token cannot hold (control characters, whitespace, non-ASCII). */
  | "invalid-characters";

/**
 * No access token could be attached, so nothing was sent. `statusCode` is -1 and `code` is
 * `AuthenticationFailed`; `problem` names what went wrong. The message never contains the token.
 */
export class AuthenticationError extends GraphRequestError {
  /** What went wrong. */
  readonly problem: AuthenticationProblem;

  /**
   * @param problem - What went wrong.
   * @param message - Human-readable message; must not contain the token.
   * @param init - The remaining fields; `cause` is the provider's error, if it threw.
   */
  constructor(problem: AuthenticationProblem, message: string, init: GraphRequestErrorInit = {}) {
    super(-1, message, { code: "AuthenticationFailed", ...init });
    brandError(this, "AuthenticationError");
    this.problem = problem;
  }
}

/** True for a `AuthenticationError` (or a subclass), also one made by another copy of this package (ESM and CommonJS), where `instanceof` is false. */
export const isAuthenticationError = brandGuard<AuthenticationError>("AuthenticationError");
