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
  }
}
