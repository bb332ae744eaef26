import type { LimitCounter, LimitShape } from "./limitCounter.js";

/**
 * Creates a fixed-window counter: at most `limit` requests per window, windows aligned to
 * multiples of `windowMs` on the clock, the count reset at each boundary. So a client may get up to
 * `2 × limit` through in a span of one window that straddles a boundary, as real fixed windows allow.
 * @param limit - Requests per window (an integer, at least 1).
 * @param windowMs - The window length in milliseconds.
 */
export function createFixedWindow(limit: number, windowMs: number): LimitCounter {
  let start = -Infinity; // Start of the window `count` belongs to.
  let count = 0;
  // Moves to the window holding `now`; a new window starts empty.
  const roll = (now: number): void => {
    const current = Math.floor(now / windowMs) * windowMs;
    if (current > start) {
      start = current;
      count = 0;
    }
  };

  return {
    waitMs(now) {
      roll(now);
      return count < limit ? 0 : start + windowMs - now;
    },
    record(now) {
      roll(now);
      count += 1;
    },
    used(now) {
      roll(now);
      return count;
    },
    quota: () => limit,
    resetMs(now) {
      roll(now);
      return count === 0 ? 0 : start + windowMs - now;
    },
    idleAt() {
      return count === 0 ? -Infinity : start + windowMs;
    },
    reshape(shape: LimitShape) {
      limit = shape.limit;
      if (shape.windowMs !== windowMs) {
        // Boundaries move with the window; what was counted stays until the new boundary.
        windowMs = shape.windowMs;
        start = count === 0 ? -Infinity : Math.floor(start / windowMs) * windowMs;
      }
    },
  };
}
