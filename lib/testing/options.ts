import { arrayOf, nonNegativeNumber, numberWhere, oneOf, positiveInteger, positiveNumber, valueWhere } from "../chain/optionRules.js";
import { nestedOptions, optionSchema, resolveOptions, type OptionRule } from "../chain/resolveOptions.js";
import { corsRule, type ResolvedEmulatorCors } from "./cors.js";
import { INTUNE_DEVICE_CONFIGURATION_LIMITS } from "./limits.js";
import type { EmulatorFaults, EmulatorLimit, GraphEmulatorOptions } from "./types.js";

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
  cors: true,
} as const satisfies Omit<ResolvedEmulatorOptions, "faults" | "cors"> & { cors: boolean };

const LIMIT_OPTIONS = optionSchema<EmulatorLimit>()({
  name: "emulator limit",
  defaults: {},
  required: ["name", "requests", "scope", "limit", "windowMs"],
  rules: {
    name: valueWhere<string>((value) => typeof value === "string" && value !== "", "a non-empty string"),
    requests: oneOf(["write", "any"]),
    scope: oneOf(["tenant", "app"]),
    limit: positiveInteger,
    windowMs: positiveNumber,
  },
});

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
    faults: nestedOptions(FAULT_OPTIONS) as OptionRule<Required<EmulatorFaults>>,
    cors: corsRule,
  },
});
const limitsRule = arrayOf(nestedOptions(LIMIT_OPTIONS), "an array of limits, or false");

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
