import { aString, nonNegativeNumber, positiveNumber, valueWhere } from "../chain/optionRules.js";
import { optionSchema } from "../chain/resolveOptions.js";

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
}

/** The defaults of {@link RedisThrottleStoreOptions}. */
export const REDIS_THROTTLE_STORE_DEFAULTS = {
  keyPrefix: "msgraph-sus:throttle:",
  expiryMarginMs: 1000,
  rateTtlMs: 600_000,
} as const satisfies Partial<RedisThrottleStoreOptions>;

/** Where the outage settings that used to be options of this store live now. */
const MOVED_TO_HANDLER = "outages are handled once, by ThrottleHandler";

/** How {@link RedisThrottleStoreOptions} are checked and defaulted. */
export const REDIS_THROTTLE_STORE_OPTIONS = optionSchema<RedisThrottleStoreOptions>()({
  name: "createRedisThrottleStore options",
  defaults: REDIS_THROTTLE_STORE_DEFAULTS,
  rules: {
    keyPrefix: aString,
    hashTag: valueWhere<(key: string) => string | undefined>((value) => typeof value === "function", "a function"),
    expiryMarginMs: nonNegativeNumber,
    rateTtlMs: positiveNumber,
  },
  retired: {
    commandTimeoutMs: `${MOVED_TO_HANDLER}: set its storeTimeoutMs`,
    probeIntervalMs: `${MOVED_TO_HANDLER}: set its storeProbeIntervalMs`,
    fallbackStore: `${MOVED_TO_HANDLER}: set its fallbackStore`,
    onFallback: `${MOVED_TO_HANDLER}: set its onStoreFallback`,
    onRecover: `${MOVED_TO_HANDLER}: set its onStoreRecover`,
  },
});
