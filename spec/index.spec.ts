import { expect } from "chai";
import { readFileSync } from "node:fs";
import * as redis from "../lib/redis/index.js";
import * as root from "../lib/index.js";
import * as testing from "../lib/testing/index.js";

// The public API is a curated list: a new runtime export must be added here on purpose (and to
// the README's "Public API" table), never leak in through a re-exported module.
const ROOT = [
  "AttemptTimeoutError",
  "DeadlineExceededError",
  "GraphNetworkError",
  "GraphRequestError",
  "INTUNE_DEVICE_CONFIGURATION_BUDGETS",
  "IdempotentRequestOption",
  "InvalidOptionsError",
  "MemoryThrottleStore",
  "RequestTrace",
  "ResilientRetryHandler",
  "ResilientRetryHandlerOptions",
  "RetryAfterTooLongError",
  "SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES",
  "SOFTWARE_UPDATE_STATUS_SUMMARY_WRITABLE_PROPERTIES",
  "SecureAuthenticationHandler",
  "ThrottleHandler",
  "ThrottleQueueFullError",
  "ValidationError",
  "constantBackoff",
  "createGraphClient",
  "customBackoff",
  "decorrelatedJitterBackoff",
  "exponentialBackoff",
  "extendClient",
  "fullJitterBackoff",
  "isAttemptTimeoutError",
  "isDeadlineExceededError",
  "isGraphNetworkError",
  "isGraphRequestError",
  "isInvalidOptionsError",
  "isRetryAfterTooLongError",
  "isThrottleQueueFullError",
  "isValidationError",
  "validateSoftwareUpdateStatusSummaryPatch",
];
const TESTING = ["INTUNE_DEVICE_CONFIGURATION_LIMITS", "appFromToken", "createTestToken", "startGraphEmulator", "staticTokenProvider", "tenantFromToken"];
const REDIS = ["RedisCommandTimeoutError", "createRedisThrottleStore"];

describe("public exports", () => {
  it("the root exports exactly the curated values", () => {
    expect(Object.keys(root).sort()).to.deep.equal([...ROOT].sort());
  });

  it("/testing and /redis export exactly their curated values", () => {
    expect(Object.keys(testing).sort()).to.deep.equal([...TESTING].sort());
    expect(Object.keys(redis).sort()).to.deep.equal([...REDIS].sort());
  });

  it("every entry is an explicit list (no export *)", () => {
    for (const entry of ["lib/index.ts", "lib/testing/index.ts", "lib/redis/index.ts"]) {
      expect(readFileSync(entry, "utf8"), entry).to.not.match(/export\s+\*/);
    }
  });

  it("every error class has its is…Error guard", () => {
    const exported = root as unknown as Record<string, unknown>;
    const classes = Object.keys(root).filter((name) => /Error$/.test(name) && !name.startsWith("is"));
    expect(classes).to.have.length(8);
    for (const name of classes) expect(exported[`is${name}`], `is${name}`).to.be.a("function");
  });
});
