// The public API of the `/redis` subpath (Node only), as an explicit list.
export { createRedisThrottleStore, type RedisThrottleStore } from "./createRedisThrottleStore.js";
export type { RedisThrottleStoreOptions } from "./RedisThrottleStoreOptions.js";
export type { RedisScriptClient } from "./RedisScriptClient.js";
