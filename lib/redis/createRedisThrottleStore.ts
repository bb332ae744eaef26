import { resolveOptions } from "../chain/resolveOptions.js";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import type { ThrottleStore } from "../throttle/ThrottleStore.js";
import type { BreakerStore } from "../throttle/BreakerStore.js";
import { createRedisScriptStore } from "./createRedisScriptStore.js";
import { guardOfflineClient } from "./guardOfflineClient.js";
import type { RedisScriptClient } from "./RedisScriptClient.js";
import { redisKeyBuilder } from "./redisKeys.js";
import { REDIS_THROTTLE_STORE_OPTIONS, type RedisThrottleStoreOptions } from "./RedisThrottleStoreOptions.js";

/** A {@link ThrottleStore} (and a `BreakerStore` for `CircuitBreakerHandler`) shared through Redis. */
export interface RedisThrottleStore extends ThrottleStore, BreakerStore {
  /** Gives back grants (see `ThrottleStore.refund`). */
  refund: NonNullable<ThrottleStore["refund"]>;
  /** Moves grants to their response time (see `ThrottleStore.settle`). */
  settle: NonNullable<ThrottleStore["settle"]>;
  /** Counts a window's grants while a cooldown holds (see `ThrottleStore.countGrants`). */
  countGrants: NonNullable<ThrottleStore["countGrants"]>;
  /** Holds nothing to release (no timers); never closes the Redis client, which is yours. */
  close(): Promise<void>;
}

/**
 * Creates a throttle store whose budgets, cooldowns, pacing and adaptive rates live in Redis, so
 * every instance of an app shares Graph's per-app and per-tenant limits. Each operation is one
 * Lua script, atomic across processes and timed by the Redis server's clock.
 *
 * The store itself only fails fast: while ioredis reports a lost connection, calls reject at once
 * instead of waiting in its offline queue. Timeouts, the per-process fallback during an outage and
 * the recovery probes belong to `ThrottleHandler` (`storeTimeoutMs`, `fallbackStore`,
 * `onStoreFallback`, `onStoreRecover`), the one failure layer for every store.
 *
 * @param redis - Your Redis client (an ioredis `Redis` or `Cluster`, or anything with `evalsha`
 *   and `eval`). The store neither connects nor closes it.
 * @param options - Key naming and expiry.
 * @throws InvalidOptionsError listing every invalid or unknown option.
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { createRedisThrottleStore } from "msgraph-software-update-status/redis";
 * const store = createRedisThrottleStore(new Redis(process.env.REDIS_URL), { keyPrefix: "my-app:throttle:" });
 * const throttle = new ThrottleHandler({ store, onStoreFallback: ({ error }) => log(error.message) });
 * ```
 */
export function createRedisThrottleStore(redis: RedisScriptClient, options: RedisThrottleStoreOptions = {}): RedisThrottleStore {
  if (redis === null || typeof redis !== "object" || typeof redis.evalsha !== "function" || typeof redis.eval !== "function") {
    throw new InvalidOptionsError("createRedisThrottleStore needs a Redis client with evalsha() and eval() (e.g. an ioredis Redis or Cluster)");
  }
  const settings = resolveOptions(REDIS_THROTTLE_STORE_OPTIONS, options);
  const store = createRedisScriptStore(guardOfflineClient(redis), {
    keyOf: redisKeyBuilder(settings.keyPrefix, settings.hashTag),
    expiryMarginMs: settings.expiryMarginMs,
    rateTtlMs: settings.rateTtlMs,
  });
  return { ...store, close: async () => undefined };
}
