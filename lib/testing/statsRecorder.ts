import type { AppliedUpdate, EmulatorStats } from "./types.js";

/** Collects the emulator's counters and applied log. */
export interface StatsRecorder {
  /** A request arrived (it is now in progress). */
  requestStarted(): void;
  /** A request's response ended or its connection closed. */
  requestEnded(): void;
  /** Counts one outcome: a status code, `"reset"` or `"hang"`. */
  outcome(status: number | "reset" | "hang"): void;
  /** Counts one `429` and the limits that caused it. */
  throttled(blockedBy: readonly string[]): void;
  /** Appends an applied update and returns it with its sequence number. */
  applied(update: Omit<AppliedUpdate, "seq">): AppliedUpdate;
  /** A copy of everything counted so far (the per-limit stats come from the throttle). */
  snapshot(): Omit<EmulatorStats, "limits">;
  /** Clears the counters and the log (requests still in progress stay counted as in progress). */
  reset(): void;
}

/** Creates an empty stats recorder. */
export function createStatsRecorder(): StatsRecorder {
  let requests = 0;
  let byStatus: Record<string, number> = {};
  let throttled = 0;
  let throttledBy: Record<string, number> = {};
  let inProgress = 0;
  let maxConcurrent = 0;
  let applied: AppliedUpdate[] = [];
  return {
    requestStarted() {
      requests += 1;
      inProgress += 1;
      if (inProgress > maxConcurrent) maxConcurrent = inProgress;
    },
    requestEnded() {
      inProgress -= 1;
    },
    outcome(status) {
      const key = String(status);
      byStatus[key] = (byStatus[key] ?? 0) + 1;
    },
    throttled(blockedBy) {
      throttled += 1;
      for (const name of blockedBy) throttledBy[name] = (throttledBy[name] ?? 0) + 1;
    },
    applied(update) {
      const entry = Object.freeze({ seq: applied.length + 1, ...update, patch: Object.freeze({ ...update.patch }) });
      applied.push(entry);
      return entry;
    },
    snapshot() {
      return {
        requests,
        byStatus: { ...byStatus },
        throttled,
        throttledBy: { ...throttledBy },
        maxConcurrent,
        applied: applied.slice(),
      };
    },
    reset() {
      requests = 0;
      byStatus = {};
      throttled = 0;
      throttledBy = {};
      maxConcurrent = inProgress;
      applied = [];
    },
  };
}
