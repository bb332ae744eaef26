import type { RedirectRefusalReason } from "../errors/RedirectRefusedError.js";
import { isSafeMethod } from "../chain/requestSafety.js";
import { checkTokenDestination } from "./checkTokenDestination.js";

/** The redirect statuses the official `RedirectHandler` follows. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** One redirect to decide on. */
export interface RedirectHop {
  /** The method of the request that was redirected, upper case. */
  readonly method: string;
  /** The URL of the request that was redirected. */
  readonly from: URL;
  /** The redirect status (301, 302, 303, 307 or 308). */
  readonly status: number;
  /** The `Location` header as the server sent it. */
  readonly location: string;
  /** Hosts besides the Graph hosts that may receive the token. */
  readonly customHosts: Iterable<string>;
}

/** What to do with a redirect. */
export type RedirectPlan =
  | {
      readonly follow: true;
      /** The next URL: `Location` resolved against the redirected request's URL. */
      readonly url: URL;
      /** The next method: the same, except a 303 answering a read other than HEAD becomes GET. */
      readonly method: string;
      /** Whether the next request still carries a body (false when the method changed). */
      readonly keepBody: boolean;
      /** Whether `Authorization` may stay: same origin, and the destination passes `checkTokenDestination`. */
      readonly keepAuthorization: boolean;
    }
  | { readonly follow: false; readonly reason: RedirectRefusalReason; readonly url: URL | undefined };

/**
 * Decides one redirect hop, by the rules of `SecureRedirectHandler`:
 * - `Location` is resolved with the WHATWG parser against the redirected URL, so relative values
 *   work and `http:/evil/x`, `http:evil` or `http:\\evil` are read as a browser reads them;
 * - only `http:` and `https:` targets, and never from `https:` to `http:`;
 * - a write (any method but GET, HEAD, OPTIONS) is never turned into a GET (no 303) and never
 *   leaves its origin;
 * - the token stays only on the same origin (scheme, host and port) and only where
 *   `checkTokenDestination` allows it, the check the first request passed.
 * @param hop - The redirect.
 */
export function planRedirectHop(hop: RedirectHop): RedirectPlan {
  let url: URL;
  try {
    url = new URL(hop.location, hop.from);
  } catch {
    return { follow: false, reason: "invalid-location", url: undefined };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { follow: false, reason: "invalid-location", url };
  if (hop.from.protocol === "https:" && url.protocol === "http:") return { follow: false, reason: "downgrade", url };
  const sameOrigin = url.origin === hop.from.origin;
  if (!isSafeMethod(hop.method)) {
    if (hop.status === 303) return { follow: false, reason: "write-see-other", url };
    if (!sameOrigin) return { follow: false, reason: "write-cross-origin", url };
  }
  const method = hop.status === 303 && hop.method !== "GET" && hop.method !== "HEAD" ? "GET" : hop.method;
  return {
    follow: true,
    url,
    method,
    keepBody: method === hop.method,
    keepAuthorization: sameOrigin && checkTokenDestination(url.href, hop.customHosts).allowed,
  };
}
