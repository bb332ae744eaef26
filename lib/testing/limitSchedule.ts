import type { EmulatorLimitPhase } from "./types.js";

/**
 * The limit in force `elapsedMs` after the limits took effect: the last phase of `schedule` that
 * covers that moment, or `base` when none does. Phase times are scaled by `timeScale`, like windows.
 * @param base - The limit outside every phase.
 * @param schedule - The phases, in the order given (a later one wins where they overlap).
 * @param elapsedMs - Real milliseconds since start, `reset()` or `setLimits()`.
 * @param timeScale - The emulator's time scale.
 */
export function scheduledLimit(base: number, schedule: readonly EmulatorLimitPhase[], elapsedMs: number, timeScale: number): number {
  let limit = base;
  for (const phase of schedule) {
    if (elapsedMs >= phase.fromMs * timeScale && elapsedMs < (phase.untilMs ?? Infinity) * timeScale) limit = phase.limit;
  }
  return limit;
}
