export { createRedisThrottleStore, type RedisThrottleStore } from "./createRedisThrottleStore.js";
export {
  REDIS_THROTTLE_STORE_DEFAULTS,
  type RedisThrottleStoreOptions,
  type RedisFallbackEvent,
  type RedisRecoverEvent,
  type RedisStoreOperation,
} from "./RedisThrottleStoreOptions.js";
export type { RedisScriptClient } from "./RedisScriptClient.js";
export { RedisCommandTimeoutError } from "./withTimeout.js";
