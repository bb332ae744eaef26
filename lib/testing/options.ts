import { nonNegativeNumber, numberWhere, oneOf, positiveInteger, positiveNumber } from "../chain/optionRules.js";
import { nestedOptions, optionSchema, resolveOptions, type OptionRule } from "../chain/resolveOptions.js";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { corsRule, type ResolvedEmulatorCors } from "./cors.js";
import { INTUNE_DEVICE_CONFIGURATION_LIMITS } from "./limits.js";
import type {
  EmulatorFaults,
  EmulatorLimit,
  EmulatorLimitAlgorithm,
  EmulatorLimitPhase,
  EmulatorRequestClass,
  EmulatorRetryAfter,
  GraphEmulatorOptions,
} from "./types.js";

/** {@link GraphEmulatorOptions} with every default filled in and checked. */
export interface ResolvedEmulatorOptions {
  /** Port to listen on (0 = any free one). */
  readonly port: number;
  /** `https` or `http`. */
  readonly protocol: "https" | "http";
  /** Throttling rules; empty when throttling is off. */
  readonly limits: readonly EmulatorLimit[];
  /** Multiplier of every window. */
  readonly timeScale: number;
  /** How `Retry-After` is written. */
  readonly retryAfterFormat: "seconds" | "fractional-seconds" | "http-date";
  /** How far the emulator's wall clock (`Date`, HTTP-date `Retry-After`) runs ahead of the host's, in ms. */
  readonly clockSkewMs: number;
  /** Status of a successful PATCH. */
  readonly patchStatus: 200 | 204;
  /** What a versioned path other than the entity gets. */
  readonly otherPaths: "not-found" | "empty";
  /** Fault settings (checked, defaults filled in), if any. */
  readonly faults: Required<EmulatorFaults> | undefined;
  /** CORS settings; `undefined` when CORS is refused. */
  readonly cors: ResolvedEmulatorCors | undefined;
}

const DEFAULTS = {
  port: 0,
  protocol: "https",
  limits: INTUNE_DEVICE_CONFIGURATION_LIMITS,
  timeScale: 1,
  retryAfterFormat: "seconds",
  clockSkewMs: 0,
  patchStatus: 200,
  otherPaths: "not-found",
  cors: true,
} as const satisfies Omit<ResolvedEmulatorOptions, "faults" | "cors"> & { cors: boolean };

const LATENCY_RANGE = optionSchema<{ min: number; max: number }>()({
  name: "latency range",
  defaults: {},
  required: ["min", "max"],
  rules: { min: nonNegativeNumber, max: nonNegativeNumber },
  refine: ({ min, max }, report) => {
    if (typeof min === "number" && typeof max === "number" && min > max) report("min", `must not exceed max (${max}), got ${min}`);
  },
});
const latencyRange = nestedOptions(LATENCY_RANGE);

const share = numberWhere((n) => n >= 0 && n <= 1, "a share in 0..1");
/** The shares, in the order their cumulative thresholds are laid out (order matters for repeatability). */
export const FAULT_SHARES = [
  "unavailableWithRetryAfter",
  "unavailable",
  "gatewayTimeout",
  "connectionReset",
  "hang",
  // New kinds go last, so existing seeds keep drawing the same faults.
  "stallAfterHeaders",
  "slowTrickle",
  "lateApply",
] as const;

const FAULT_OPTIONS = optionSchema<EmulatorFaults>()({
  name: "emulator faults",
  defaults: {
    seed: 1,
    unavailableWithRetryAfter: 0,
    unavailableRetryAfterSeconds: 1,
    unavailable: 0,
    gatewayTimeout: 0,
    connectionReset: 0,
    hang: 0,
    stallAfterHeaders: 0,
    slowTrickle: 0,
    trickleChunkBytes: 8,
    trickleIntervalMs: 50,
    lateApply: 0,
    lateApplyMs: 1000,
    latencyMs: 0,
    appliesTo: "all",
  },
  rules: {
    seed: numberWhere(Number.isFinite, "a finite number"),
    unavailableWithRetryAfter: share,
    unavailableRetryAfterSeconds: nonNegativeNumber,
    unavailable: share,
    gatewayTimeout: share,
    connectionReset: share,
    hang: share,
    stallAfterHeaders: share,
    slowTrickle: share,
    trickleChunkBytes: positiveInteger,
    trickleIntervalMs: nonNegativeNumber,
    lateApply: share,
    lateApplyMs: nonNegativeNumber,
    latencyMs: ((value, path, report) =>
      typeof value === "number" ? nonNegativeNumber(value, path, report) : latencyRange(value, path, report)) as OptionRule<
      EmulatorFaults["latencyMs"]
    >,
    appliesTo: oneOf(["all", "writes"]),
  },
  refine: (faults, report) => {
    const total = FAULT_SHARES.reduce((sum, name) => sum + (typeof faults[name] === "number" ? (faults[name] as number) : 0), 0);
    if (total > 1 + 1e-9) report("", `the shares add up to ${Math.round(total * 1e6) / 1e6}, more than 1`);
  },
});

const EMULATOR_OPTIONS = optionSchema<GraphEmulatorOptions>()({
  name: "startGraphEmulator options",
  defaults: DEFAULTS,
  rules: {
    port: numberWhere((n) => Number.isInteger(n) && n >= 0 && n <= 65535, "an integer in 0..65535"),
    protocol: oneOf(["https", "http"]),
    limits: ((value, path, report) => (value === false ? [] : limitsRule(value, path, report))) as OptionRule<readonly EmulatorLimit[]>,
    timeScale: positiveNumber,
    retryAfterFormat: oneOf(["seconds", "fractional-seconds", "http-date"]),
    clockSkewMs: numberWhere(Number.isFinite, "a finite number"),
    patchStatus: oneOf([200, 204]),
    otherPaths: oneOf(["not-found", "empty"]),
    faults: nestedOptions(FAULT_OPTIONS) as OptionRule<Required<EmulatorFaults>>,
    cors: corsRule,
  },
});
/** The limits go through {@link resolveEmulatorLimits}, shared with `setLimits`, which stops at the first bad limit. */
const limitsRule: OptionRule<readonly EmulatorLimit[]> = (value, path, report) => {
  if (!Array.isArray(value)) {
    report(path, "must be an array of limits, or false");
    return [];
  }
  try {
    resolveEmulatorLimits(value as readonly EmulatorLimit[]);
  } catch (error) {
    report(path, (error as Error).message.replace(/^startGraphEmulator: /, ""));
  }
  return value as readonly EmulatorLimit[];
};

/**
 * Fills in defaults and checks every option (through the shared `resolveOptions`), so a mistake
 * fails at start with a message that lists every problem.
 * @param options - The user's options.
 * @throws InvalidOptionsError listing every invalid or unknown option.
 */
export function resolveEmulatorOptions(options: GraphEmulatorOptions = {}): ResolvedEmulatorOptions {
  const resolved = resolveOptions(EMULATOR_OPTIONS, options);
  return { ...resolved, faults: resolved.faults, cors: resolved.cors } as ResolvedEmulatorOptions;
}

/**
 * Checks fault settings and fills in their defaults (also for `setFaults` on a running emulator).
 * @param faults - The settings, or `undefined` for none.
 * @throws InvalidOptionsError listing every invalid or unknown setting.
 */
export function resolveEmulatorFaults(faults: EmulatorFaults | undefined): Required<EmulatorFaults> {
  return resolveOptions(FAULT_OPTIONS, faults) as Required<EmulatorFaults>;
}

/** An {@link EmulatorLimit} with every default filled in and checked. */
export interface ResolvedEmulatorLimit {
  /** The unique name. */
  readonly name: string;
  /** Writes or any request. */
  readonly requests: EmulatorRequestClass;
  /** Lower-case path prefix, or `undefined` for every path. */
  readonly path: string | undefined;
  /** Per tenant, per app per tenant, or per app across all tenants. */
  readonly scope: EmulatorLimit["scope"];
  /** The algorithm (`"concurrency"` for a concurrency limit). */
  readonly algorithm: EmulatorLimitAlgorithm | "concurrency";
  /** The base limit. */
  readonly limit: number;
  /** The window before `timeScale` (0 for a concurrency limit). */
  readonly windowMs: number;
  /** Token bucket capacity, or `undefined` to follow the (scheduled) limit. */
  readonly burst: number | undefined;
  /** The limit's own `Retry-After`, or `undefined` for the emulator's `retryAfterFormat`. */
  readonly retryAfter: EmulatorRetryAfter | undefined;
  /** Whether refused requests count. */
  readonly countThrottled: boolean;
  /** Whether faulted requests count. */
  readonly countFaulted: boolean;
  /** Near-limit headers: which ones, and from what share of the quota. */
  readonly nearLimitHeaders: { readonly rateLimit: boolean; readonly throttleLimitPercentage: boolean; readonly threshold: number };
  /** Phases changing the limit. */
  readonly schedule: readonly EmulatorLimitPhase[];
}

const LIMIT_DEFAULTS = {
  algorithm: "sliding-window",
  countThrottled: false,
  countFaulted: false,
  nearLimitHeaders: { rateLimit: false, throttleLimitPercentage: false, threshold: 0.8 },
  schedule: [],
} as const satisfies Partial<ResolvedEmulatorLimit>;

const ALGORITHMS: readonly string[] = ["sliding-window", "fixed-window", "token-bucket", "concurrency"];
const RETRY_AFTER_FORMATS: readonly string[] = ["seconds", "fractional-seconds", "http-date", "none"];

/**
 * Fills in the defaults of every limit and checks them (for `limits` and `setLimits`).
 * @param limits - The user's limits.
 * @throws InvalidOptionsError when a limit is invalid or two share a name.
 */
export function resolveEmulatorLimits(limits: readonly EmulatorLimit[]): readonly ResolvedEmulatorLimit[] {
  const names = new Set<string>();
  return limits.map((limit, index) => {
    const resolved = resolveLimit(limit, index);
    if (names.has(resolved.name)) fail(`limits[${index}]: the name "${resolved.name}" is used twice`);
    names.add(resolved.name);
    return resolved;
  });
}

function resolveLimit(limit: EmulatorLimit, index: number): ResolvedEmulatorLimit {
  const where = `limits[${index}]${typeof limit.name === "string" ? ` ("${limit.name}")` : ""}`;
  if (typeof limit.name !== "string" || limit.name === "") fail(`${where}: name must be a non-empty string`);
  if (limit.requests !== "write" && limit.requests !== "any") fail(`${where}: requests must be "write" or "any"`);
  if (limit.scope !== "tenant" && limit.scope !== "app" && limit.scope !== "app-all-tenants") fail(`${where}: scope must be "tenant", "app" or "app-all-tenants"`);
  if (!isCount(limit.limit)) fail(`${where}: limit must be an integer >= 1, got ${limit.limit}`);
  if (limit.path !== undefined && !(typeof limit.path === "string" && limit.path.startsWith("/"))) {
    fail(`${where}: path must be a string starting with "/", got ${String(limit.path)}`);
  }
  checkRetryAfter(where, limit.retryAfter);
  const schedule = limit.schedule ?? LIMIT_DEFAULTS.schedule;
  if (!Array.isArray(schedule)) fail(`${where}: schedule must be an array of { fromMs, untilMs?, limit }`);
  schedule.forEach((phase, at) => checkPhase(`${where}: schedule[${at}]`, phase));
  const common = {
    name: limit.name,
    requests: limit.requests,
    path: limit.path?.toLowerCase(),
    scope: limit.scope,
    limit: limit.limit,
    retryAfter: limit.retryAfter,
    schedule,
  };
  const algorithm = limit.algorithm ?? LIMIT_DEFAULTS.algorithm;
  if (!ALGORITHMS.includes(algorithm)) fail(`${where}: algorithm must be one of ${ALGORITHMS.join(", ")}, got ${String(algorithm)}`);
  if (limit.algorithm === "concurrency") {
    const rateOnly = (["windowMs", "burst", "countThrottled", "countFaulted", "nearLimitHeaders"] as const).filter(
      (key) => (limit as unknown as Record<string, unknown>)[key] !== undefined,
    );
    if (rateOnly.length > 0) fail(`${where}: a concurrency limit takes no ${rateOnly.join(", ")}`);
    return {
      ...common,
      algorithm: "concurrency",
      windowMs: 0,
      burst: undefined,
      countThrottled: false,
      countFaulted: false,
      nearLimitHeaders: LIMIT_DEFAULTS.nearLimitHeaders,
    };
  }
  if (!(limit.windowMs > 0 && Number.isFinite(limit.windowMs))) fail(`${where}: windowMs must be a finite number > 0, got ${limit.windowMs}`);
  if (limit.burst !== undefined && (algorithm !== "token-bucket" || !isCount(limit.burst))) {
    fail(`${where}: burst must be an integer >= 1, and only on a token bucket`);
  }
  for (const key of ["countThrottled", "countFaulted"] as const) {
    if (limit[key] !== undefined && typeof limit[key] !== "boolean") fail(`${where}: ${key} must be a boolean`);
  }
  const headers = { ...LIMIT_DEFAULTS.nearLimitHeaders, ...limit.nearLimitHeaders };
  if (typeof headers.rateLimit !== "boolean" || typeof headers.throttleLimitPercentage !== "boolean") {
    fail(`${where}: nearLimitHeaders.rateLimit and .throttleLimitPercentage must be booleans`);
  }
  if (!(headers.threshold >= 0 && headers.threshold <= 1)) fail(`${where}: nearLimitHeaders.threshold must be in 0..1, got ${headers.threshold}`);
  return {
    ...common,
    algorithm,
    windowMs: limit.windowMs,
    burst: limit.burst,
    countThrottled: limit.countThrottled ?? LIMIT_DEFAULTS.countThrottled,
    countFaulted: limit.countFaulted ?? LIMIT_DEFAULTS.countFaulted,
    nearLimitHeaders: headers,
  };
}

function checkRetryAfter(where: string, retryAfter: EmulatorRetryAfter | undefined): void {
  if (retryAfter === undefined) return;
  if (typeof retryAfter === "object" && retryAfter !== null) {
    if (!(retryAfter.fixedSeconds >= 0 && Number.isFinite(retryAfter.fixedSeconds))) {
      fail(`${where}: retryAfter.fixedSeconds must be a finite number >= 0, got ${retryAfter.fixedSeconds}`);
    }
    return;
  }
  if (!RETRY_AFTER_FORMATS.includes(retryAfter)) {
    fail(`${where}: retryAfter must be one of ${RETRY_AFTER_FORMATS.join(", ")} or { fixedSeconds }, got ${String(retryAfter)}`);
  }
}

function checkPhase(where: string, phase: EmulatorLimitPhase): void {
  if (!(phase.fromMs >= 0 && Number.isFinite(phase.fromMs))) fail(`${where}: fromMs must be a finite number >= 0, got ${phase.fromMs}`);
  const until = phase.untilMs ?? Infinity;
  if (!(until > phase.fromMs)) fail(`${where}: untilMs must be greater than fromMs, got ${until}`);
  if (!isCount(phase.limit)) fail(`${where}: limit must be an integer >= 1, got ${phase.limit}`);
}

const isCount = (value: number): boolean => Number.isInteger(value) && value >= 1;

function fail(message: string): never {
  throw new InvalidOptionsError(`startGraphEmulator: ${message}`);
}
