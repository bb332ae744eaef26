import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
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
  /** Status of a successful PATCH. */
  readonly patchStatus: 200 | 204;
  /** Fault settings, if any. */
  readonly faults: EmulatorFaults | undefined;
}

const DEFAULTS = {
  port: 0,
  protocol: "https",
  limits: INTUNE_DEVICE_CONFIGURATION_LIMITS,
  timeScale: 1,
  retryAfterFormat: "seconds",
  patchStatus: 200,
} as const satisfies Omit<ResolvedEmulatorOptions, "faults">;

/**
 * Fills in defaults and checks every option, so a mistake fails at start with a clear message.
 * @param options - The user's options.
 * @throws InvalidOptionsError when an option is out of range.
 */
export function resolveEmulatorOptions(options: GraphEmulatorOptions = {}): ResolvedEmulatorOptions {
  const port = options.port ?? DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`port must be an integer in 0..65535, got ${port}`);
  const protocol = options.protocol ?? DEFAULTS.protocol;
  if (protocol !== "https" && protocol !== "http") fail(`protocol must be "https" or "http", got ${String(protocol)}`);
  const timeScale = options.timeScale ?? DEFAULTS.timeScale;
  if (!(timeScale > 0 && Number.isFinite(timeScale))) fail(`timeScale must be a finite number > 0, got ${timeScale}`);
  const retryAfterFormat = options.retryAfterFormat ?? DEFAULTS.retryAfterFormat;
  if (!["seconds", "fractional-seconds", "http-date"].includes(retryAfterFormat)) {
    fail(`retryAfterFormat must be "seconds", "fractional-seconds" or "http-date", got ${String(retryAfterFormat)}`);
  }
  const patchStatus = options.patchStatus ?? DEFAULTS.patchStatus;
  if (patchStatus !== 200 && patchStatus !== 204) fail(`patchStatus must be 200 or 204, got ${String(patchStatus)}`);
  const limits = options.limits === false ? [] : (options.limits ?? DEFAULTS.limits);
  resolveEmulatorLimits(limits);
  return { port, protocol, limits, timeScale, retryAfterFormat, patchStatus, faults: options.faults };
}

/** An {@link EmulatorLimit} with every default filled in and checked. */
export interface ResolvedEmulatorLimit {
  /** The unique name. */
  readonly name: string;
  /** Writes or any request. */
  readonly requests: EmulatorRequestClass;
  /** Lower-case path prefix, or `undefined` for every path. */
  readonly path: string | undefined;
  /** Per tenant or per app per tenant. */
  readonly scope: "tenant" | "app";
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
  if (limit.scope !== "tenant" && limit.scope !== "app") fail(`${where}: scope must be "tenant" or "app"`);
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
