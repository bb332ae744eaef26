import type { LimitCounter, LimitShape } from "./limitCounter.js";

// Refill arithmetic is floating point: a bucket within this of a whole token counts as holding it.
const EPSILON = 1e-9;

/**
 * Creates a token bucket: it starts full with `burst` tokens, refills smoothly at `limit` tokens
 * per `windowMs` up to `burst`, and each request takes one token. A request fits when a whole
 * token is there. Counted refusals (`countThrottled`) push it below zero: a debt that refills first.
 * @param limit - Tokens refilled per window (at least 1).
 * @param windowMs - The refill window in milliseconds.
 * @param burst - The capacity (at least 1). @default limit
 */
export function createTokenBucket(limit: number, windowMs: number, burst: number = limit): LimitCounter {
  let ratePerMs = limit / windowMs;
  let capacity = burst;
  let tokens = capacity;
  let updatedAt = -Infinity;
  const refill = (now: number): void => {
    if (now > updatedAt) {
      if (updatedAt !== -Infinity) tokens = Math.min(capacity, tokens + (now - updatedAt) * ratePerMs);
      updatedAt = now;
    }
  };

  return {
    waitMs(now) {
      refill(now);
      return tokens >= 1 - EPSILON ? 0 : (1 - tokens) / ratePerMs;
    },
    record(now) {
      refill(now);
      tokens -= 1;
    },
    used(now) {
      refill(now);
      return capacity - tokens;
    },
    quota: () => capacity,
    resetMs(now) {
      refill(now);
      return Math.max(0, (capacity - tokens) / ratePerMs);
    },
    idleAt() {
      return tokens >= capacity - EPSILON ? -Infinity : updatedAt + (capacity - tokens) / ratePerMs;
    },
    reshape(shape: LimitShape) {
      ratePerMs = shape.limit / shape.windowMs;
      capacity = shape.burst;
      tokens = Math.min(tokens, capacity);
    },
  };
}
