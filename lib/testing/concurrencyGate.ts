/** Requests in flight per key (tenant, or app per tenant), for concurrency limits. */
export interface ConcurrencyGate {
  /** Requests in flight under `key`. */
  inFlight(key: string): number;
  /** One more request in flight under `key`. */
  enter(key: string): void;
  /** One request under `key` ended; keys with none in flight are dropped. */
  leave(key: string): void;
  /** How many keys have requests in flight (for leak checks). */
  size(): number;
}

/** Creates an empty gate. */
export function createConcurrencyGate(): ConcurrencyGate {
  const counts = new Map<string, number>();
  return {
    inFlight: (key) => counts.get(key) ?? 0,
    enter(key) {
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
    leave(key) {
      const left = (counts.get(key) ?? 0) - 1;
      if (left > 0) counts.set(key, left);
      else counts.delete(key);
    },
    size: () => counts.size,
  };
}
