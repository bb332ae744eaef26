/**
 * An exact sliding-window counter: at most `limit` admissions in any span of `windowMs`.
 *
 * Because it never admits more than `limit` in a window, it only needs the last `limit`
 * admission times (a ring buffer): a new admission fits exactly when the admission `limit`
 * places back is at least `windowMs` old. O(1) per check, no fixed-window bursts at boundaries.
 */
export interface SlidingWindow {
  /** Milliseconds until this window has room at `now` (0 when it has room now). */
  waitMs(now: number): number;
  /** Records one admission at `now` (call only after `waitMs(now)` returned 0). */
  record(now: number): void;
  /** The time of the latest admission, or `-Infinity` when none. */
  lastAt(): number;
}

/**
 * Creates an empty sliding window.
 * @param limit - Admissions allowed in any span of `windowMs` (an integer, at least 1).
 * @param windowMs - The window length in milliseconds.
 */
export function createSlidingWindow(limit: number, windowMs: number): SlidingWindow {
  const times = new Float64Array(limit);
  let count = 0;
  let next = 0; // Index of the oldest entry once the ring is full, and of the next write.
  return {
    waitMs(now) {
      if (count < limit) return 0;
      // Entry at time t stops counting once now >= t + windowMs.
      const wait = (times[next] as number) + windowMs - now;
      return wait > 0 ? wait : 0;
    },
    record(now) {
      times[next] = now;
      next = (next + 1) % limit;
      if (count < limit) count += 1;
    },
    lastAt() {
      return count === 0 ? -Infinity : (times[(next + limit - 1) % limit] as number);
    },
  };
}
