import { FAULT_SHARES, resolveEmulatorFaults } from "./options.js";
import { mulberry32 } from "./prng.js";
import type { EmulatorFaults } from "./types.js";

/** What the emulator does with one request instead of (or before) serving it. */
export type FaultKind =
  | "none"
  | "unavailable-with-retry-after"
  | "unavailable"
  | "gateway-timeout"
  | "connection-reset"
  | "hang"
  | "stall-after-headers"
  | "slow-trickle"
  | "late-apply";

/** How a `slow-trickle` body is written. */
export interface TrickleSettings {
  /** Bytes per write. */
  readonly chunkBytes: number;
  /** Milliseconds between writes. */
  readonly intervalMs: number;
}

/** The fault drawn for one request. */
export interface FaultDraw {
  /** The fault, or `"none"` to serve the request normally. */
  readonly kind: FaultKind;
  /** Latency to add before acting, in milliseconds. */
  readonly latencyMs: number;
}

/** Draws faults from a seeded PRNG, one draw per request. */
export interface FaultPicker {
  /**
   * Draws the fault for the next request.
   * @param isWrite - Whether the request is a write (for `appliesTo: "writes"`).
   */
  pick(isWrite: boolean): FaultDraw;
  /** The `Retry-After` seconds of `unavailable-with-retry-after` faults. */
  readonly retryAfterSeconds: number;
  /** How `slow-trickle` bodies are written. */
  readonly trickle: TrickleSettings;
  /** How long a `late-apply` request waits between admission and its operation, in milliseconds. */
  readonly lateApplyMs: number;
}

const NO_FAULT: FaultDraw = Object.freeze({ kind: "none", latencyMs: 0 });

/**
 * Checks fault settings and creates a picker seeded with `faults.seed`.
 * @param faults - The settings, or `undefined` for none.
 * @throws InvalidOptionsError when a share is outside 0..1, the shares add up to more than 1, or a latency or trickle setting is invalid.
 */
export function createFaultPicker(faults: EmulatorFaults | undefined): FaultPicker {
  const f = resolveEmulatorFaults(faults);
  const kinds: Record<(typeof FAULT_SHARES)[number], Exclude<FaultKind, "none">> = {
    unavailableWithRetryAfter: "unavailable-with-retry-after",
    unavailable: "unavailable",
    gatewayTimeout: "gateway-timeout",
    connectionReset: "connection-reset",
    hang: "hang",
    stallAfterHeaders: "stall-after-headers",
    slowTrickle: "slow-trickle",
    lateApply: "late-apply",
  };
  const shares = FAULT_SHARES.map((name) => [kinds[name], f[name]] as const);
  const total = shares.reduce((sum, [, value]) => sum + value, 0);
  const [minLatency, maxLatency] = typeof f.latencyMs === "number" ? [f.latencyMs, f.latencyMs] : [f.latencyMs.min, f.latencyMs.max];
  const retryAfterSeconds = f.unavailableRetryAfterSeconds;
  const writesOnly = f.appliesTo === "writes";
  const random = mulberry32(f.seed);
  const trickle = { chunkBytes: f.trickleChunkBytes, intervalMs: f.trickleIntervalMs };
  const lateApplyMs = f.lateApplyMs;
  const active = total > 0 || maxLatency > 0;

  return {
    retryAfterSeconds,
    trickle,
    lateApplyMs,
    pick(isWrite) {
      if (!active || (writesOnly && !isWrite)) return NO_FAULT;
      // Always two draws per eligible request, so the sequence does not depend on earlier outcomes.
      const u = random();
      const v = random();
      const latencyMs = minLatency + v * (maxLatency - minLatency);
      let threshold = 0;
      for (const [kind, share] of shares) {
        threshold += share;
        if (u < threshold) return { kind, latencyMs };
      }
      return latencyMs > 0 ? { kind: "none", latencyMs } : NO_FAULT;
    },
  };
}
