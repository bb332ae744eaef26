export { startGraphEmulator } from "./startGraphEmulator.js";
export { INTUNE_DEVICE_CONFIGURATION_LIMITS } from "./limits.js";
export { createTestToken, tenantFromToken, appFromToken, decodeJwtPayload, type TestTokenOptions } from "./tokens.js";
export { staticTokenProvider } from "./staticTokenProvider.js";
export { formatRetryAfter, type RetryAfterFormat } from "./retryAfterHeader.js";
export { mulberry32 } from "./prng.js";
export type {
  AppliedUpdate,
  EmulatorFaults,
  EmulatorLimit,
  EmulatorRequestClass,
  EmulatorStats,
  GraphEmulator,
  GraphEmulatorOptions,
} from "./types.js";
