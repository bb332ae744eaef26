/**
 * Values computed from string keys, kept for keys that come back, at most `maxEntries` of them:
 * the oldest entry goes first. For what every request works out again from the same few keys
 * (tokens, origins, host entries), where a service that sees many keys should keep a small map.
 * An `undefined` value is kept too, so a key that yields nothing is not worked out again.
 */
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  /**
   * @param maxEntries - How many keys to keep.
   * @param compute - Works out the value of a key the first time it is asked for.
   */
  constructor(
    private readonly maxEntries: number,
    private readonly compute: (key: string) => V,
  ) {}

  /**
   * The value of `key`, worked out once while it stays in the cache.
   * @param key - The key.
   */
  get(key: string): V {
    // The key asked for last, compared whole: a token comes back on every request as a new string,
    // and comparing it costs less than hashing it for the map. Values depend on the key alone, so
    // this stays right after the map drops the key.
    if (key === this.lastKey) return this.lastValue as V;
    const value = this.lookUp(key);
    this.lastKey = key;
    this.lastValue = value;
    return value;
  }

  private lastKey: string | undefined;
  private lastValue: V | undefined;

  private lookUp(key: string): V {
    const hit = this.entries.get(key);
    // One lookup for a kept value; `has` only tells a kept `undefined` from a miss.
    if (hit !== undefined || this.entries.has(key)) return hit as V;
    const value = this.compute(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    this.entries.set(key, value);
    return value;
  }

  /** How many keys are kept. */
  get size(): number {
    return this.entries.size;
  }
}
