import { BoundedCache } from "../chain/BoundedCache.js";
import { decodeJwtClaims, type TokenClaims } from "../chain/decodeJwtClaims.js";

// Re-exported: the decoder moved to lib/chain, where the client reads `tid` too.
export { decodeJwtClaims, type TokenClaims };

/**
 * Decoded claims per token, bounded: the oldest entry goes when `maxEntries` is reached, so a
 * service that sees many tokens keeps a small map. Tokens are only held as map keys in memory;
 * nothing here is logged or exposed.
 */
export class ClaimsCache extends BoundedCache<TokenClaims | undefined> {
  /**
   * @param maxEntries - How many tokens to remember. @default 256
   */
  constructor(maxEntries = 256) {
    super(maxEntries, decodeJwtClaims);
    // Only the last header value: the token inside it is what the cache keeps.
    this.headers = new BoundedCache(1, (authorization) => {
      const token = /^\s*bearer\s+(\S+)/i.exec(authorization)?.[1];
      return token === undefined ? undefined : this.get(token);
    });
  }

  private readonly headers: BoundedCache<TokenClaims | undefined>;

  /**
   * The claims of the bearer token in an `Authorization` header value, or `undefined` for another
   * scheme, a token that is no JWT, or a missing header.
   * @param authorization - The header value, or `null` when the request has none.
   */
  ofAuthorization(authorization: string | null): TokenClaims | undefined {
    if (authorization === null) return undefined;
    return this.headers.get(authorization);
  }
}
