export { ThrottleHandler } from "./ThrottleHandler.js";
export {
  ADAPTIVE_DEFAULTS,
  THROTTLE_DEFAULTS,
  type AdaptiveThrottleOptions,
  type ThrottleHandlerOptions,
} from "./ThrottleHandlerOptions.js";
export { MemoryThrottleStore, type MemoryThrottleStoreOptions } from "./MemoryThrottleStore.js";
export { INTUNE_DEVICE_CONFIGURATION_BUDGETS, type BudgetMethods, type BudgetRoute, type ThrottleBudget } from "./ThrottleBudget.js";
export type {
  AdaptiveRateStats,
  BudgetUseStats,
  ThrottleEvent,
  ThrottleKeyStats,
  ThrottleListener,
  ThrottleReason,
} from "./ThrottleEvents.js";
export type { ThrottleIdentity, ThrottleKeyFunction } from "./throttleIdentity.js";
export type { StoreFallbackEvent, StoreRecoverEvent } from "./StoreEvents.js";
export type { StoreOperation } from "./storeCall.js";
