/**
 * The one clock for intervals (windows, pacers, cooldowns, the emulator's limits and log):
 * monotonic and sub-millisecond, yet epoch-based, so its readings still read as dates.
 *
 * Not `Date.now()`: the wall clock steps when NTP (or a VM restored from a snapshot) corrects it,
 * and a step of +9 s would free every window at once (a burst of 429s) while a step back would
 * hold every request for as long as the step. `performance` is global in browsers and Node.
 */
export const monotonicNow = (): number => performance.timeOrigin + performance.now();
