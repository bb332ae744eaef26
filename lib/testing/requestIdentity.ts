import type { IncomingMessage } from "node:http";
import { appFromToken, tenantFromToken } from "./tokens.js";

/** Who sent a request, from its bearer token. */
export type CallerIdentity =
  | { readonly kind: "no-token" }
  | { readonly kind: "no-tenant" }
  | { readonly kind: "caller"; readonly tenant: string; readonly app: string };

// Decoding a JWT per request is measurable at thousands of requests per second, and tokens repeat.
// Bounded, so a test that mints a token per request cannot grow it without end.
const identities = new Map<string, CallerIdentity>();
const MAX_CACHED_IDENTITIES = 1024;

/**
 * Identifies the caller: tenant from the JWT `tid` (or the raw token when it is not a JWT), app
 * from `appid`/`azp` (or `"unknown"`).
 * @param req - The request.
 */
export function identifyCaller(req: IncomingMessage): CallerIdentity {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(req, "authorization") ?? "");
  const token = match?.[1];
  if (token === undefined) return { kind: "no-token" };
  let identity = identities.get(token);
  if (identity === undefined) {
    const tenant = tenantFromToken(token);
    identity = tenant === undefined ? { kind: "no-tenant" } : { kind: "caller", tenant, app: appFromToken(token) };
    if (identities.size >= MAX_CACHED_IDENTITIES) identities.clear();
    identities.set(token, identity);
  }
  return identity;
}

/**
 * The first value of a request header, or `undefined` when absent or empty.
 * @param req - The request.
 * @param name - The header name, lower case.
 */
export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === "" ? undefined : first;
}
