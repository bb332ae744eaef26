import type { LimitCounter, LimitShape } from "./limitCounter.js";

/**
 * An exact sliding-window counter: at most `limit` admissions in any span of `windowMs`.
 *
 * Because it never needs more than the last `limit` request times, it keeps them in a ring
 * buffer: a new request fits exactly when the one `limit` places back is at least `windowMs`
 * old. O(1) per check, no fixed-window bursts at boundaries. The ring only grows (when the limit
 * is raised), so lowering then restoring a limit loses nothing.
 */
export interface SlidingWindow extends LimitCounter {
  /** The time of the latest recorded request, or `-Infinity` when none. */
  lastAt(): number;
}

/**
 * Creates an empty sliding window.
 * @param limit - Admissions allowed in any span of `windowMs` (an integer, at least 1).
 * @param windowMs - The window length in milliseconds.
 */
export function createSlidingWindow(limit: number, windowMs: number): SlidingWindow {
  let capacity = limit;
  let times = new Float64Array(capacity);
  let count = 0; // Entries held (at most capacity).
  let next = 0; // Index of the next write (and of the oldest entry once the ring is full).
  // The entry `back` places back from the newest (1 = newest), for 1 <= back <= count.
  const entry = (back: number): number => times[(next - back + capacity) % capacity] as number;

  return {
    waitMs(now) {
      if (count < limit) return 0;
      // Entry at time t stops counting once now >= t + windowMs.
      const wait = entry(limit) + windowMs - now;
      return wait > 0 ? wait : 0;
    },
    record(now) {
      times[next] = now;
      next = (next + 1) % capacity;
      if (count < capacity) count += 1;
    },
    used(now) {
      let inWindow = 0;
      while (inWindow < count && entry(inWindow + 1) + windowMs > now) inWindow += 1;
      return inWindow;
    },
    quota: () => limit,
    resetMs(now) {
      return count === 0 ? 0 : Math.max(0, entry(1) + windowMs - now);
    },
    idleAt() {
      return count === 0 ? -Infinity : entry(1) + windowMs;
    },
    reshape(shape: LimitShape) {
      if (shape.limit > capacity) {
        const grown = new Float64Array(shape.limit);
        for (let back = count; back >= 1; back -= 1) grown[count - back] = entry(back);
        times = grown;
        capacity = shape.limit;
        next = count;
      }
      limit = shape.limit;
      windowMs = shape.windowMs;
    },
    lastAt() {
      return count === 0 ? -Infinity : entry(1);
    },
  };
}
