import type { GraphLogger } from "../chain/logger.js";
import type { ShouldRedirect } from "@microsoft/microsoft-graph-client";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";

/** The limit the official `RedirectHandlerOptions` enforces on `maxRedirects`. */
export const MAX_MAX_REDIRECTS = 20;

/** Options of `SecureRedirectHandler`. A per-request official `RedirectHandlerOptions` replaces `maxRedirects` and `shouldRedirect`. */
export interface SecureRedirectHandlerOptions {
  /**
   * The most redirects followed for one request (0 to 20, as the official handler allows). One
   * more is a `RedirectRefusedError` (`too-many-redirects`); with 0 nothing is followed and the
   * redirect response is handed back, as the official handler does.
   * @default 5
   */
  readonly maxRedirects?: number;
  /**
   * Asked before each redirect is followed; `false` hands the redirect response back. It cannot
   * widen the security rules: a refused redirect stays refused.
   * @default always true
   */
  readonly shouldRedirect?: ShouldRedirect;
  /**
   * Hosts besides the Graph hosts whose redirects may keep the token (same meaning as
   * `SecureAuthenticationHandler`'s); they add to the client's `customHosts`.
   * @default none
   */
  readonly customHosts?: Iterable<string>;
  /** Logs each refused redirect (`warn`), with redacted URLs and never a token. @default none */
  readonly logger?: GraphLogger;
}

/** The options in force for one request. */
export interface ResolvedRedirectOptions {
  readonly maxRedirects: number;
  readonly shouldRedirect: ShouldRedirect;
}

/** The defaults: the official `RedirectHandlerOptions` defaults. */
export const DEFAULT_REDIRECT_OPTIONS: ResolvedRedirectOptions = Object.freeze({
  maxRedirects: 5,
  shouldRedirect: () => true,
});

/**
 * Defaults and checks `maxRedirects` and `shouldRedirect`: the one place they are validated, for
 * the handler's options and for a per-request `RedirectHandlerOptions`.
 * @param options - The fields to check; `undefined` fields take the defaults.
 * @param what - Names the options in the error, e.g. "SecureRedirectHandler options".
 * @throws InvalidOptionsError - Listing every problem.
 */
export function resolveRedirectOptions(
  options: { readonly maxRedirects?: unknown; readonly shouldRedirect?: unknown },
  what: string,
): ResolvedRedirectOptions {
  const maxRedirects = options.maxRedirects ?? DEFAULT_REDIRECT_OPTIONS.maxRedirects;
  const shouldRedirect = options.shouldRedirect ?? DEFAULT_REDIRECT_OPTIONS.shouldRedirect;
  const problems: string[] = [];
  if (typeof maxRedirects !== "number" || !Number.isInteger(maxRedirects) || maxRedirects < 0 || maxRedirects > MAX_MAX_REDIRECTS) {
    problems.push(`maxRedirects must be a whole number from 0 to ${MAX_MAX_REDIRECTS} (got ${String(maxRedirects)})`);
  }
  if (typeof shouldRedirect !== "function") problems.push("shouldRedirect must be a function (response) => boolean");
  if (problems.length > 0) throw new InvalidOptionsError(`Invalid ${what}:\n  - ${problems.join("\n  - ")}`);
  return { maxRedirects: maxRedirects as number, shouldRedirect: shouldRedirect as ShouldRedirect };
}
