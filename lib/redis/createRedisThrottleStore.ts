import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { MemoryThrottleStore } from "../throttle/MemoryThrottleStore.js";
import type { ThrottleStore } from "../throttle/ThrottleStore.js";
import { createFailoverStore } from "./createFailoverStore.js";
import { createRedisScriptStore } from "./createRedisScriptStore.js";
import { guardOfflineClient } from "./guardOfflineClient.js";
import { luaScript, runLuaScript } from "./luaScript.js";
import type { RedisScriptClient } from "./RedisScriptClient.js";
import { redisKeyBuilder } from "./redisKeys.js";
import { REDIS_THROTTLE_STORE_DEFAULTS, type RedisThrottleStoreOptions } from "./RedisThrottleStoreOptions.js";

/** A {@link ThrottleStore} shared through Redis, with a local fallback during Redis outages. */
export interface RedisThrottleStore extends ThrottleStore {
  /** Whether calls currently go to the fallback store because Redis failed. */
  readonly usingFallback: boolean;
  /** Stops the store's timers (and its own fallback store). Never closes the Redis client. */
  close(): Promise<void>;
}

const PING_SCRIPT = luaScript("return 'PONG'");

/**
 * Creates a throttle store whose budgets, cooldowns, pacing and adaptive rates live in Redis, so
 * every instance of an app shares Graph's per-app and per-tenant limits. Each operation is one
 * Lua script, atomic across processes and timed by the Redis server's clock.
 *
 * When Redis fails or does not answer within `commandTimeoutMs`, requests keep flowing through a
 * local `MemoryThrottleStore` (per-process budgets) until a probe sees Redis again; failing open
 * would let every instance overshoot at once, and failing closed would stall all traffic while
 * Redis is down.
 *
 * @param redis - Your Redis client (an ioredis `Redis` or `Cluster`, or anything with `evalsha`
 *   and `eval`). The store neither connects nor closes it.
 * @param options - Key naming, timeouts and listeners.
 * @example
 * ```ts
 * import { Redis } from "ioredis";
 * import { createRedisThrottleStore } from "msgraph-software-update-status/redis";
 * const store = createRedisThrottleStore(new Redis(process.env.REDIS_URL), { onFallback: ({ error }) => log(error.message) });
 * ```
 */
export function createRedisThrottleStore(redis: RedisScriptClient, options: RedisThrottleStoreOptions = {}): RedisThrottleStore {
  if (redis === null || typeof redis !== "object" || typeof redis.evalsha !== "function" || typeof redis.eval !== "function") {
    throw new InvalidOptionsError("createRedisThrottleStore needs a Redis client with evalsha() and eval() (e.g. an ioredis Redis or Cluster)");
  }
  // Options left `undefined` keep their defaults.
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as RedisThrottleStoreOptions;
  const settings = { ...REDIS_THROTTLE_STORE_DEFAULTS, ...given };
  for (const name of ["commandTimeoutMs", "probeIntervalMs", "expiryMarginMs", "rateTtlMs"] as const) {
    const value = settings[name];
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (value === 0 && name !== "expiryMarginMs")) {
      throw new InvalidOptionsError(`createRedisThrottleStore: ${name} must be a finite number of milliseconds > 0 (got ${String(value)})`);
    }
  }
  if (typeof settings.keyPrefix !== "string") {
    throw new InvalidOptionsError("createRedisThrottleStore: keyPrefix must be a string");
  }

  const client = guardOfflineClient(redis);
  const ownsFallback = options.fallbackStore === undefined;
  const fallback = options.fallbackStore ?? new MemoryThrottleStore();
  const primary = createRedisScriptStore(client, {
    keyOf: redisKeyBuilder(settings.keyPrefix, settings.hashTag),
    expiryMarginMs: settings.expiryMarginMs,
    rateTtlMs: settings.rateTtlMs,
  });
  const failover = createFailoverStore({
    primary,
    fallback,
    timeoutMs: settings.commandTimeoutMs,
    probeIntervalMs: settings.probeIntervalMs,
    probe: () => (client.ping !== undefined ? client.ping() : runLuaScript(client, PING_SCRIPT, [], [])),
    onFallback: settings.onFallback,
    onRecover: settings.onRecover,
  });

  return {
    get usingFallback() {
      return failover.usingFallback;
    },
    reserve: (request) => failover.reserve(request),
    extendCooldown: (key, durationMs) => failover.extendCooldown(key, durationMs),
    cooldownRemaining: (key) => failover.cooldownRemaining(key),
    readRate: (key) => failover.readRate(key),
    adjustRate: (key, change) => failover.adjustRate(key, change),
    refund: (request) => failover.refund(request),
    async close() {
      await failover.close();
      if (ownsFallback) await fallback.close?.();
    },
  };
}
