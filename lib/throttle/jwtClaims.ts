import { decodeJwtClaims, type TokenClaims } from "../chain/decodeJwtClaims.js";

// Re-exported: the decoder moved to lib/chain, where the client reads `tid` too.
export { decodeJwtClaims, type TokenClaims };

/**
 * Decoded claims per token, bounded: the oldest entry goes when `maxEntries` is reached, so a
 * service that sees many tokens keeps a small map. Tokens are only held as map keys in memory;
 * nothing here is logged or exposed.
 */
export class ClaimsCache {
  private readonly entries = new Map<string, TokenClaims | null>();

  /**
   * @param maxEntries - How many tokens to remember. @default 256
   */
  constructor(private readonly maxEntries = 256) {}

  /**
   * The claims of a token, decoded once.
   * @param token - The bearer token.
   */
  get(token: string): TokenClaims | undefined {
    const hit = this.entries.get(token);
    if (hit !== undefined) return hit ?? undefined;
    const claims = decodeJwtClaims(token);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(token, claims ?? null);
    return claims;
  }

  /** How many tokens are cached. */
  get size(): number {
    return this.entries.size;
  }
}
