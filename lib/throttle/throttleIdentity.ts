import type { Context } from "@microsoft/microsoft-graph-client";
import type { ClaimsCache } from "./jwtClaims.js";
import { getRequestHeader } from "../chain/requestHeaders.js";
import type { RequestTarget } from "./readRequestTarget.js";

/** Whose limits a request counts against: a tenant and an app in it. Never holds a token. */
export interface ThrottleIdentity {
  /** The tenant (JWT `tid`), or the URL host when the token is not a JWT. */
  readonly tenant: string;
  /** The app (JWT `appid` or `azp`), or `"*"` when unknown. */
  readonly app: string;
}

/**
 * Chooses the throttle identity of a request instead of the JWT claims. Return at least a tenant;
 * a missing app means `"*"`. The handler adds the Graph workload of the request's path to the key
 * either way (see `ThrottleKeyStats.workload`).
 */
export type ThrottleKeyFunction = (context: Context) => { readonly tenant: string; readonly app?: string };

/** The app of a request whose token names no app. */
export const UNKNOWN_APP = "*";

/**
 * Reads tenant and app from the bearer token's claims (`tid`, `appid` or `azp`), falling back to
 * the URL host when there is no token or it is not a JWT.
 * @param context - The middleware context.
 * @param target - The request's host (all the fallback needs).
 * @param claimsCache - Decoded claims per token.
 */
export function identityFromToken(context: Context, target: Pick<RequestTarget, "host">, claimsCache: ClaimsCache): ThrottleIdentity {
  const claims = claimsCache.ofAuthorization(getRequestHeader(context, "authorization"));
  if (claims?.tid !== undefined) return { tenant: claims.tid, app: claims.appid ?? claims.azp ?? UNKNOWN_APP };
  return { tenant: target.host === "" ? "unknown-host" : target.host, app: UNKNOWN_APP };
}

/**
 * The key string of an identity, used in events, stats and errors: `tenant/app`.
 * @param identity - The identity.
 */
export function identityKey(identity: ThrottleIdentity): string {
  return `${identity.tenant}/${identity.app}`;
}
