/**
 * Counts events in the recent past with fixed memory: `buckets` slots of `bucketMs` each, so it
 * answers "how many in the last N ms" for N up to `buckets * bucketMs`, to bucket precision.
 */
export class RecentCounter {
  private readonly counts: Uint32Array;
  /** The bucket number (time / bucketMs) each slot currently holds. */
  private readonly stamps: Float64Array;

  /**
   * @param bucketMs - Width of one bucket in milliseconds. @default 100
   * @param buckets - Number of buckets (the longest span it can answer for is their product). @default 100
   */
  constructor(
    private readonly bucketMs = 100,
    private readonly buckets = 100,
  ) {
    this.counts = new Uint32Array(buckets);
    this.stamps = new Float64Array(buckets).fill(-1);
  }

  /** The longest span it can count, in milliseconds. */
  get spanMs(): number {
    return this.bucketMs * this.buckets;
  }

  /**
   * Records one event.
   * @param now - The current time in ms.
   */
  add(now: number): void {
    const bucket = Math.floor(now / this.bucketMs);
    const slot = bucket % this.buckets;
    if (this.stamps[slot] !== bucket) {
      this.stamps[slot] = bucket;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] ?? 0) + 1;
  }

  /**
   * Events in the last `spanMs` (clamped to what it can hold), bucket precision.
   * @param now - The current time in ms.
   * @param spanMs - How far back to count.
   */
  count(now: number, spanMs: number): number {
    return this.countBuckets(Math.floor(now / this.bucketMs), this.spanBuckets(spanMs));
  }

  /**
   * Events per second over at least the last `spanMs`: the buckets that cover that span (the
   * current one only partly elapsed), divided by the time they cover.
   * @param now - The current time in ms.
   * @param spanMs - How far back to look.
   */
  ratePerSecond(now: number, spanMs: number): number {
    const current = Math.floor(now / this.bucketMs);
    const span = Math.min(this.buckets, this.spanBuckets(spanMs) + 1);
    const coveredMs = (span - 1) * this.bucketMs + (now - current * this.bucketMs);
    return coveredMs > 0 ? (this.countBuckets(current, span) * 1000) / coveredMs : 0;
  }

  private spanBuckets(spanMs: number): number {
    return Math.min(this.buckets, Math.max(1, Math.round(spanMs / this.bucketMs)));
  }

  private countBuckets(current: number, span: number): number {
    let total = 0;
    for (let slot = 0; slot < this.buckets; slot += 1) {
      const stamp = this.stamps[slot] ?? -1;
      if (stamp > current - span && stamp <= current) total += this.counts[slot] ?? 0;
    }
    return total;
  }
}
