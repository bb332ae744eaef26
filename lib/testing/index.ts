// The public API of the `/testing` subpath (Node only), as an explicit list.
export { startGraphEmulator } from "./startGraphEmulator.js";
export { INTUNE_DEVICE_CONFIGURATION_LIMITS } from "./limits.js";
export { createTestToken, tenantFromToken, appFromToken, type TestTokenOptions } from "./tokens.js";
export { staticTokenProvider } from "./staticTokenProvider.js";
export type {
  AppliedUpdate,
  EmulatorConcurrencyLimit,
  EmulatorCors,
  EmulatorFaults,
  EmulatorLimit,
  EmulatorLimitAlgorithm,
  EmulatorLimitCommon,
  EmulatorLimitPhase,
  EmulatorLimitStats,
  EmulatorNearLimitHeaders,
  EmulatorRateLimit,
  EmulatorRequestClass,
  EmulatorRetryAfter,
  EmulatorStats,
  GraphEmulator,
  GraphEmulatorOptions,
} from "./types.js";
