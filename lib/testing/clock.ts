/**
 * The emulator's one clock, for limits, schedules and the applied log: monotonic, sub-millisecond,
 * epoch-based (so the log's times read as dates).
 */
export const emulatorNow = (): number => performance.timeOrigin + performance.now();
