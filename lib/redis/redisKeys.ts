/** What a Redis key holds; each kind gets its own namespace so store keys never collide. */
export type RedisKeyKind = "window" | "pace" | "cooldown" | "rate" | "breaker";

const KIND_TAGS: Record<RedisKeyKind, string> = { window: "w", pace: "p", cooldown: "c", rate: "r", breaker: "b" };

/**
 * Builds the function that maps a store key to its Redis key:
 * `<prefix>[{<hash tag>}]<kind>:<key>`, e.g. `msgraph-sus:throttle:w:tenant-a:writes`.
 * @param prefix - The configured key prefix.
 * @param hashTag - Optional Redis Cluster hash tag of a store key.
 */
export function redisKeyBuilder(
  prefix: string,
  hashTag: ((key: string) => string | undefined) | undefined,
): (kind: RedisKeyKind, key: string) => string {
  return (kind, key) => {
    const tag = hashTag?.(key);
    return `${prefix}${tag === undefined ? "" : `{${tag}}`}${KIND_TAGS[kind]}:${key}`;
  };
}
