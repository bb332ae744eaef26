export { createRedisThrottleStore, type RedisThrottleStore } from "./createRedisThrottleStore.js";
export { REDIS_THROTTLE_STORE_DEFAULTS, type RedisThrottleStoreOptions } from "./RedisThrottleStoreOptions.js";
export type { RedisScriptClient } from "./RedisScriptClient.js";
