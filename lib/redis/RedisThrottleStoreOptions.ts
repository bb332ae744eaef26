import type { ThrottleStore } from "../throttle/ThrottleStore.js";

/** A store operation, named in fallback events and timeout errors. */
export type RedisStoreOperation = "reserve" | "extendCooldown" | "cooldownRemaining" | "readRate" | "adjustRate" | "refund";

/** Sent once per outage, when the store stops using Redis. */
export interface RedisFallbackEvent {
  /** Why: the Redis error or a timeout, with secrets masked in its message. */
  readonly error: Error;
  /** The operation that failed first. */
  readonly operation: RedisStoreOperation;
}

/** Sent when a probe finds Redis answering again and the store goes back to it. */
export interface RedisRecoverEvent {
  /** How long the store used its fallback, in milliseconds. */
  readonly outageMs: number;
}

/** Options of `createRedisThrottleStore`. */
export interface RedisThrottleStoreOptions {
  /**
   * Prefix of every key the store writes. Give each app (or environment) its own prefix, and
   * the same prefix to every instance that must share one budget.
   * @default "msgraph-sus:throttle:"
   */
  readonly keyPrefix?: string;
  /**
   * For Redis Cluster: returns the hash tag of a store key (e.g. its tenant), so all keys one
   * `reserve` touches share a slot. Without it no tag is added; a key that already contains
   * `{...}` is still honoured by the cluster.
   * @default undefined
   */
  readonly hashTag?: (key: string) => string | undefined;
  /**
   * Longest wait for one Redis call before the store falls back, in milliseconds. The store never
   * waits longer, even while the client queues commands during a reconnect.
   * @default 250
   */
  readonly commandTimeoutMs?: number;
  /**
   * How often the store checks whether Redis is back during an outage, in milliseconds (a `PING`
   * bounded by `commandTimeoutMs`, on an unref'd timer).
   * @default 1000
   */
  readonly probeIntervalMs?: number;
  /**
   * How long window and pace keys outlive the last grant beyond their window or interval, in
   * milliseconds. Keys then expire by themselves, so nothing is left behind.
   * @default 1000
   */
  readonly expiryMarginMs?: number;
  /**
   * How long an adaptive rate is kept after its last change, in milliseconds; after that the
   * next change starts again from its `initial` value.
   * @default 600000
   */
  readonly rateTtlMs?: number;
  /**
   * The store used while Redis is unreachable or slow. Requests keep flowing, throttled per
   * process. Pass your own store for another policy (e.g. one that always grants, to fail open).
   * The store keeps it warm: cooldowns, rates and grants that succeed in Redis are copied into it.
   * @default new MemoryThrottleStore()
   */
  readonly fallbackStore?: ThrottleStore;
  /**
   * Called once per outage when the store switches to its fallback.
   * @default undefined
   */
  readonly onFallback?: (event: RedisFallbackEvent) => void;
  /**
   * Called when Redis answers again and the store switches back to it.
   * @default undefined
   */
  readonly onRecover?: (event: RedisRecoverEvent) => void;
}

/** The defaults of {@link RedisThrottleStoreOptions}. */
export const REDIS_THROTTLE_STORE_DEFAULTS = {
  keyPrefix: "msgraph-sus:throttle:",
  commandTimeoutMs: 250,
  probeIntervalMs: 1000,
  expiryMarginMs: 1000,
  rateTtlMs: 600_000,
} as const satisfies Partial<RedisThrottleStoreOptions>;
