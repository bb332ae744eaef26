/**
 * Two adaptive rates that differ only by floating-point noise (a rate read back from text, say):
 * the tolerance of `RateChange.onlyIf`, which the stores apply (the Redis script spells the same
 * test in Lua) and adaptive mode uses to tell a rate another process lowered.
 * @param a - One rate.
 * @param b - The other.
 */
export function sameRate(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}

/**
 * Whether `rate` is below `than` by more than noise (see {@link sameRate}).
 * @param rate - The rate read.
 * @param than - The rate it is compared with.
 */
export function lowerRate(rate: number, than: number): boolean {
  return rate < than && !sameRate(rate, than);
}
