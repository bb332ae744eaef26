import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
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
  const f = faults ?? {};
  // Order matters for repeatability: the cumulative thresholds are laid out in this order.
  const shares: [Exclude<FaultKind, "none">, number][] = [
    ["unavailable-with-retry-after", f.unavailableWithRetryAfter ?? 0],
    ["unavailable", f.unavailable ?? 0],
    ["gateway-timeout", f.gatewayTimeout ?? 0],
    ["connection-reset", f.connectionReset ?? 0],
    ["hang", f.hang ?? 0],
    // New kinds go last, so existing seeds keep drawing the same faults.
    ["stall-after-headers", f.stallAfterHeaders ?? 0],
    ["slow-trickle", f.slowTrickle ?? 0],
    // Last, so adding it left the draws of every earlier seed unchanged.
    ["late-apply", f.lateApply ?? 0],
  ];
  let total = 0;
  for (const [kind, share] of shares) {
    if (!(share >= 0 && share <= 1)) throw new InvalidOptionsError(`faults: the share of "${kind}" must be in 0..1, got ${share}`);
    total += share;
  }
  if (total > 1 + 1e-9) throw new InvalidOptionsError(`faults: the shares add up to ${total}, more than 1`);
  const latency = f.latencyMs ?? 0;
  const [minLatency, maxLatency] = typeof latency === "number" ? [latency, latency] : [latency.min, latency.max];
  if (!(minLatency >= 0 && maxLatency >= minLatency && Number.isFinite(maxLatency))) {
    throw new InvalidOptionsError(`faults: latencyMs must be a number >= 0 or { min, max } with 0 <= min <= max`);
  }
  const retryAfterSeconds = f.unavailableRetryAfterSeconds ?? 1;
  if (!(retryAfterSeconds >= 0 && Number.isFinite(retryAfterSeconds))) {
    throw new InvalidOptionsError(`faults: unavailableRetryAfterSeconds must be a finite number >= 0`);
  }
  const trickle = { chunkBytes: f.trickleChunkBytes ?? 8, intervalMs: f.trickleIntervalMs ?? 50 };
  if (!(Number.isInteger(trickle.chunkBytes) && trickle.chunkBytes >= 1)) {
    throw new InvalidOptionsError(`faults: trickleChunkBytes must be a whole number >= 1`);
  }
  if (!(trickle.intervalMs >= 0 && Number.isFinite(trickle.intervalMs))) {
    throw new InvalidOptionsError(`faults: trickleIntervalMs must be a finite number >= 0`);
  }
  const lateApplyMs = f.lateApplyMs ?? 1000;
  if (!(lateApplyMs >= 0 && Number.isFinite(lateApplyMs))) {
    throw new InvalidOptionsError(`faults: lateApplyMs must be a finite number >= 0`);
  }
  const writesOnly = (f.appliesTo ?? "all") === "writes";
  const random = mulberry32(f.seed ?? 1);
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
