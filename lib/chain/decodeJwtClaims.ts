/** The claims of an access token that name the tenant and the app. */
export interface TokenClaims {
  /** Tenant id. */
  readonly tid?: string;
  /** App id of an app-only (v1) token. */
  readonly appid?: string;
  /** App id of a v2 token. */
  readonly azp?: string;
  /** Object id of the signed-in user (delegated tokens): whose mailbox `/me` is. */
  readonly oid?: string;
}

/**
 * Decodes the payload of a JWT (base64url, with `atob`, so it runs in browsers) and returns its
 * `tid`, `appid`, `azp` and `oid` claims, or `undefined` when the token is not a JWT. The signature is not
 * checked: the claims only choose a key (a throttle key, a write-order lane).
 * @param token - The bearer token.
 */
export function decodeJwtClaims(token: string): TokenClaims | undefined {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[1] === undefined || parts[1] === "") return undefined;
  try {
    const base64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const json = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
    const payload: unknown = JSON.parse(json);
    if (payload === null || typeof payload !== "object") return undefined;
    const record = payload as Record<string, unknown>;
    const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
    return { tid: text(record.tid), appid: text(record.appid), azp: text(record.azp), oid: text(record.oid) };
  } catch {
    return undefined;
  }
}
