/**
 * `min(capMs, baseMs * 2^(retry - 1))`, safe for any retry count.
 * @param baseMs - The base delay.
 * @param capMs - The largest delay.
 * @param retry - The retry number, from 1.
 */
export function exponentialDelay(baseMs: number, capMs: number, retry: number): number {
  // The exponent is bounded so that a huge retry count never yields Infinity * 0 = NaN.
  return Math.min(capMs, baseMs * 2 ** Math.min(Math.max(retry - 1, 0), 1000));
}
