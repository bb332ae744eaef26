import { expect } from "chai";
import { readFileSync } from "node:fs";
import ts from "typescript";
import * as redis from "../lib/redis/index.js";
import * as root from "../lib/index.js";
import * as testing from "../lib/testing/index.js";

// The public API is a curated list: a new runtime export must be added here on purpose (and to
// the README's "Public API" table), never leak in through a re-exported module.
const ROOT = [
  "BatchHandler",
  "sendBatch",
  "validateBatch",
  "AttemptTimeoutError",
  "AuthenticationError",
  "CircuitBreakerHandler",
  "CircuitOpenError",
  "isCircuitOpenError",
  "RedirectRefusedError",
  "SecureRedirectHandler",
  "isAuthenticationError",
  "isRedirectRefusedError",
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
const REDIS = ["createRedisThrottleStore"];

const ENTRIES = { root: "lib/index.ts", "`/testing`": "lib/testing/index.ts", "`/redis`": "lib/redis/index.ts" } as const;

/** Every name (values and types) each entry exports, as TypeScript sees it. */
function exportedNames(): Record<keyof typeof ENTRIES, string[]> {
  const program = ts.createProgram(Object.values(ENTRIES), { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const names = (file: string): string[] => {
    const source = program.getSourceFile(file);
    const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    if (symbol === undefined) throw new Error(`cannot read ${file}`);
    return checker.getExportsOfModule(symbol).map((s) => s.name).sort();
  };
  return { root: names(ENTRIES.root), "`/testing`": names(ENTRIES["`/testing`"]), "`/redis`": names(ENTRIES["`/redis`"]) };
}

/** The rows of the README's "Public API" table, as entry -> names. */
function readmeTable(): Record<string, string[]> {
  const readme = readFileSync("README.md", "utf8");
  const section = readme.slice(readme.indexOf("## Public API"), readme.indexOf("\n## ", readme.indexOf("## Public API") + 1));
  const rows: Record<string, string[]> = {};
  for (const match of section.matchAll(/^\| `([^`]+)` \| ([^|]+?) \|/gm)) (rows[match[2] as string] ??= []).push(match[1] as string);
  for (const names of Object.values(rows)) names.sort();
  return rows;
}

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
    expect(classes).to.have.length(11);
    for (const name of classes) expect(exported[`is${name}`], `is${name}`).to.be.a("function");
  });

  it("the README's Public API table lists every export of every entry, values and types, and nothing else", function () {
    this.timeout(60_000);
    const table = readmeTable();
    const exported = exportedNames();
    expect(Object.keys(table).sort()).to.deep.equal(Object.keys(ENTRIES).sort());
    for (const entry of Object.keys(ENTRIES) as (keyof typeof ENTRIES)[]) expect(table[entry], entry).to.deep.equal(exported[entry]);
  });
});
