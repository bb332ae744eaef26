import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
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
  /** Fault settings, if any. */
  readonly faults: EmulatorFaults | undefined;
}

const DEFAULTS = {
  port: 0,
  protocol: "https",
  limits: INTUNE_DEVICE_CONFIGURATION_LIMITS,
  timeScale: 1,
  retryAfterFormat: "seconds",
  clockSkewMs: 0,
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
  const clockSkewMs = options.clockSkewMs ?? DEFAULTS.clockSkewMs;
  if (typeof clockSkewMs !== "number" || !Number.isFinite(clockSkewMs)) fail(`clockSkewMs must be a finite number, got ${String(clockSkewMs)}`);
  const patchStatus = options.patchStatus ?? DEFAULTS.patchStatus;
  if (patchStatus !== 200 && patchStatus !== 204) fail(`patchStatus must be 200 or 204, got ${String(patchStatus)}`);
  const limits = options.limits === false ? [] : (options.limits ?? DEFAULTS.limits);
  limits.forEach(checkLimit);
  return { port, protocol, limits, timeScale, retryAfterFormat, clockSkewMs, patchStatus, faults: options.faults };
}

function checkLimit(limit: EmulatorLimit, index: number): void {
  const where = `limits[${index}]${typeof limit.name === "string" ? ` ("${limit.name}")` : ""}`;
  if (typeof limit.name !== "string" || limit.name === "") fail(`${where}: name must be a non-empty string`);
  if (limit.requests !== "write" && limit.requests !== "any") fail(`${where}: requests must be "write" or "any"`);
  if (limit.scope !== "tenant" && limit.scope !== "app") fail(`${where}: scope must be "tenant" or "app"`);
  if (!Number.isInteger(limit.limit) || limit.limit < 1) fail(`${where}: limit must be an integer >= 1, got ${limit.limit}`);
  if (!(limit.windowMs > 0 && Number.isFinite(limit.windowMs))) fail(`${where}: windowMs must be a finite number > 0, got ${limit.windowMs}`);
}

function fail(message: string): never {
  throw new InvalidOptionsError(`startGraphEmulator: ${message}`);
}
