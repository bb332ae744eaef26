import type { EmulatorRateLimit } from "./types.js";

/**
 * Intune device configuration service limits, which cover `softwareUpdateStatusSummary`: writes
 * (POST, PUT, PATCH, DELETE) 100 / 20 s per app per tenant and 200 / 20 s per tenant; any request
 * 1000 / 20 s per app per tenant and 2000 / 20 s per tenant. The emulator's default `limits`.
 */
export const INTUNE_DEVICE_CONFIGURATION_LIMITS: readonly EmulatorRateLimit[] = Object.freeze([
  Object.freeze({ name: "writes per app per tenant", requests: "write", scope: "app", limit: 100, windowMs: 20_000 }),
  Object.freeze({ name: "writes per tenant", requests: "write", scope: "tenant", limit: 200, windowMs: 20_000 }),
  Object.freeze({ name: "requests per app per tenant", requests: "any", scope: "app", limit: 1000, windowMs: 20_000 }),
  Object.freeze({ name: "requests per tenant", requests: "any", scope: "tenant", limit: 2000, windowMs: 20_000 }),
] satisfies EmulatorRateLimit[]);
