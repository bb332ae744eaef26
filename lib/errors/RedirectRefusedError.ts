import { GraphRequestError, type GraphRequestErrorInit } from "./GraphRequestError.js";
import { brandError, brandGuard } from "./brand.js";

/** Why a redirect was not followed. */
export type RedirectRefusalReason =
  /** A write (POST, PUT, PATCH, DELETE...) answered with `303 See Other`: it is never turned into a GET. */
  | "write-see-other"
  /** A write redirected to another origin: its body and token stay on the origin it was meant for. */
  | "write-cross-origin"
  /** A write whose body is a one-shot stream, redirected: the body cannot be sent again. */
  | "body-not-replayable"
  /** The redirect goes from `https:` to `http:`. */
  | "downgrade"
  /** The `Location` is not a valid `http:`/`https:` URL. */
  | "invalid-location"
  /** More redirects in a row than `maxRedirects`. */
  | "too-many-redirects"
  /** The runtime hid the redirect (a browser's `opaqueredirect` answer to a write): where it pointed is unknown. */
  | "hidden-redirect";

/**
 * A redirect was refused, so the call did not complete. `statusCode` is the redirect's status
 * (0 when a browser hid it), `code` is `RedirectRefused`; `from` and `to` are redacted URLs
 * (query values and credentials removed). A refused write was not re-sent anywhere.
 */
export class RedirectRefusedError extends GraphRequestError {
  /** Why the redirect was refused. */
  readonly reason: RedirectRefusalReason;
  /** The URL that answered with the redirect, redacted. */
  readonly from: string;
  /** Where the redirect pointed, redacted; `null` when unknown (a hidden redirect). */
  readonly to: string | null;

  /**
   * @param reason - Why the redirect was refused.
   * @param statusCode - The redirect status, or 0 when the runtime hid it.
   * @param message - Human-readable message (with redacted URLs only).
   * @param where - The redacted `from` and `to` URLs.
   * @param init - The remaining fields.
   */
  constructor(
    reason: RedirectRefusalReason,
    statusCode: number,
    message: string,
    where: { readonly from: string; readonly to: string | null },
    init: GraphRequestErrorInit = {},
  ) {
    super(statusCode, message, { code: "RedirectRefused", ...init });
    brandError(this, "RedirectRefusedError");
    this.reason = reason;
    this.from = where.from;
    this.to = where.to;
  }
}

/** True for a `RedirectRefusedError` (or a subclass), also one made by another copy of this package (ESM and CommonJS), where `instanceof` is false. */
export const isRedirectRefusedError = brandGuard<RedirectRefusedError>("RedirectRefusedError");
