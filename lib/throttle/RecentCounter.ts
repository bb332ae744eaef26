/**
 * Counts events in the recent past with fixed memory: `buckets` slots of `bucketMs` each, so it
 * answers "how many in the last N ms" for N up to `buckets * bucketMs`, to bucket precision.
 */
export class RecentCounter {
  private readonly counts: Uint32Array;
  /** The bucket number (time / bucketMs) each slot currently holds. */
  private readonly stamps: Float64Array;

  /**
   * @param bucketMs - Width of one bucket in milliseconds (its precision). @default 100
   * @param buckets - Number of buckets (the longest span it can answer for is their product). @default 100
   */
  constructor(
    readonly bucketMs = 100,
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
    this.addMany(now, 1);
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
   * Events in whole buckets that fit in the last `spanMs` (the current one included): a count
   * over at most `spanMs`, where {@link count} may reach a bucket further (at least one bucket).
   * @param now - The current time in ms.
   * @param spanMs - The longest span to count.
   */
  countWithin(now: number, spanMs: number): number {
    return this.countBuckets(Math.floor(now / this.bucketMs), this.spanBuckets(spanMs, Math.floor));
  }

  /**
   * Events in every bucket that holds part of the last `spanMs` (the one holding `now - spanMs`
   * included): a count over at least `spanMs`, never missing an event within it.
   * @param now - The current time in ms.
   * @param spanMs - The span to cover.
   */
  countCovering(now: number, spanMs: number): number {
    const current = Math.floor(now / this.bucketMs);
    const first = Math.floor((now - spanMs) / this.bucketMs);
    return this.countBuckets(current, Math.min(this.buckets, Math.max(1, current - first + 1)));
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

  /**
   * A counter of another bucket width holding the same events, each moved to the start of its
   * bucket (so a count never grows by the move). A window learned anew must not forget the
   * successes already seen: a reading taken right after would read an empty past as a limit of almost nothing.
   * @param bucketMs - The new bucket width in milliseconds.
   * @param buckets - The new number of buckets.
   */
  resized(bucketMs: number, buckets: number): RecentCounter {
    const next = new RecentCounter(bucketMs, buckets);
    for (let slot = 0; slot < this.buckets; slot += 1) {
      const stamp = this.stamps[slot] ?? -1;
      const count = this.counts[slot] ?? 0;
      if (stamp >= 0 && count > 0) next.addMany(stamp * this.bucketMs, count);
    }
    return next;
  }

  private addMany(at: number, count: number): void {
    const bucket = Math.floor(at / this.bucketMs);
    const slot = bucket % this.buckets;
    if (this.stamps[slot] !== bucket) {
      // A newer bucket already holds the slot: this older one is past the span.
      if ((this.stamps[slot] ?? -1) > bucket) return;
      this.stamps[slot] = bucket;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] ?? 0) + count;
  }

  /** Buckets that cover `spanMs` (at least one, at most all), rounded to the nearest or, for a span never exceeded, down. */
  private spanBuckets(spanMs: number, round: (x: number) => number = Math.round): number {
    return Math.min(this.buckets, Math.max(1, round(spanMs / this.bucketMs)));
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
