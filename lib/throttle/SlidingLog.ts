/** How many entries a search steps over from the last answer before it falls back to a binary search. */
const CURSOR_STEPS = 8;

/**
 * An exact sliding-window log: at most `limit` grants in any span of `windowMs`.
 *
 * It keeps only the last `limit` grant times in a ring, because the only question that matters
 * is whether the grant `limit` places back has left the window. A grant at time `t` counts in
 * `(now - windowMs, now]`, as in the Redis store. Memory is O(limit) and every check is O(1).
 */
export class SlidingLog {
  private times: number[] = [];
  /** The entry the last `add` pushed out of a full log, so `removeNewest` can put it back exactly. */
  private evicted: number | undefined;
  /** Index of the oldest kept grant once the ring is full. */
  private head = 0;
  /**
   * Where the last search found the oldest entry in the window (a logical index), and the start
   * of that window: windows only slide forward, so the next search steps on from there instead
   * of a binary search over the whole log (which, between requests, reads cold memory).
   * Forgotten (`cursorFrom` at -Infinity) when an entry is removed or moved.
   */
  private cursor = 0;
  private cursorFrom = Number.NEGATIVE_INFINITY;

  /**
   * @param limit - Grants allowed in any span of `windowMs` (0 refuses everything).
   * @param windowMs - The window length in milliseconds.
   */
  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /**
   * Milliseconds until a grant fits at `now` (0 when it fits now), when `reserved` more grants
   * are already promised and not logged yet (`Infinity` when those alone fill the limit).
   * @param now - The current time in ms.
   * @param reserved - Grants promised but not logged yet. @default 0
   */
  waitMs(now: number, reserved = 0): number {
    const room = this.limit - reserved;
    if (room <= 0) return this.limit <= 0 ? this.windowMs : Number.POSITIVE_INFINITY;
    return Math.max(0, this.blockingEntry(room) + this.windowMs - now);
  }

  /**
   * The entry that must leave the window before one more grant fits while none is promised: the
   * oldest of the last `limit` (`-Infinity` while the log holds fewer).
   */
  oldestKept(): number {
    return this.limit <= 0 ? Number.NEGATIVE_INFINITY : this.blockingEntry(this.limit);
  }

  /** The entry `room` places back (`-Infinity` while the log holds fewer). */
  private blockingEntry(room: number): number {
    const size = this.times.length;
    if (size < room) return Number.NEGATIVE_INFINITY;
    const index = size < this.limit ? size - room : (this.head + this.limit - room) % this.limit;
    return this.times[index] ?? Number.NEGATIVE_INFINITY;
  }

  /**
   * Records a grant at `now`; call only after {@link waitMs} returned 0.
   * @param now - The current time in ms.
   */
  add(now: number): void {
    if (this.limit <= 0) return;
    if (this.times.length < this.limit) {
      this.times.push(now);
      return;
    }
    this.evicted = this.times[this.head];
    this.times[this.head] = now;
    this.head = (this.head + 1) % this.limit;
    // Every entry moved one place toward the oldest end; the one pushed out was the oldest.
    if (this.cursor > 0) this.cursor -= 1;
  }

  /** Forgets where the last search ended: an entry was removed or moved. */
  private forgetCursor(): void {
    this.cursor = 0;
    this.cursorFrom = Number.NEGATIVE_INFINITY;
  }

  /**
   * Removes the newest entry (a refunded grant). The newest, not the refunded request's own
   * entry: the log keeps no ids, and the two differ only by the few ms between grants.
   */
  removeNewest(): void {
    if (this.times.length === 0) return;
    this.forgetCursor();
    if (this.times.length < this.limit) {
      this.times.pop();
      return;
    }
    this.head = (this.head + this.limit - 1) % this.limit;
    // Restore what the last add pushed out; after that, an entry old enough never to count.
    this.times[this.head] = this.evicted ?? Number.NEGATIVE_INFINITY;
    this.evicted = undefined;
  }

  /**
   * Removes the newest entry equal to `time` (a refunded grant, named by its ticket). Entries
   * pushed out of a full log are not put back: an add pushes out only an entry that had left the
   * window already.
   * @param time - The grant time.
   */
  remove(time: number): void {
    const ordered = [...this.times.slice(this.head), ...this.times.slice(0, this.head)];
    const index = ordered.lastIndexOf(time);
    if (index < 0) return;
    ordered.splice(index, 1);
    this.forgetCursor();
    this.times = ordered;
    this.head = 0;
    this.evicted = undefined;
  }

  /**
   * Moves the newest entry equal to `time` to `to` (a grant whose response came): the entries
   * between shift one place, so the log stays in time order. Entries
   * with equal times are interchangeable; an entry no longer held (pushed out or refunded) is
   * left alone. Costs the number of grants made since, i.e. about the requests in flight.
   * @param time - The grant time.
   * @param to - Where it moves: the response time, less a window margin the answer makes needless
   *   (which may be before the grant time: the answer alone bounds when the server counted it).
   */
  moveTo(time: number, to: number): void {
    const size = this.times.length;
    const full = size === this.limit;
    const at = (logical: number): number => (full ? (this.head + logical) % this.limit : logical);
    let found = -1;
    for (let i = size - 1; i >= 0; i -= 1) {
      const value = this.times[at(i)] ?? Number.NEGATIVE_INFINITY;
      if (value === time) {
        found = i;
        break;
      }
      if (value < time) return;
    }
    if (found < 0 || to === time) return;
    this.forgetCursor();
    let i = found;
    if (to > time) {
      for (; i < size - 1; i += 1) {
        const next = this.times[at(i + 1)] ?? Number.POSITIVE_INFINITY;
        if (next > to) break;
        this.times[at(i)] = next;
      }
    } else {
      for (; i > 0; i -= 1) {
        const previous = this.times[at(i - 1)] ?? Number.NEGATIVE_INFINITY;
        if (previous <= to) break;
        this.times[at(i)] = previous;
      }
    }
    this.times[at(i)] = to;
    // The last add may no longer be the newest entry: a refund must not restore what it pushed out.
    this.evicted = undefined;
  }

  /**
   * Grants within `(now - windowMs, now]`.
   * @param now - The current time in ms.
   */
  count(now: number): number {
    return this.times.length - this.firstInWindow(now);
  }

  /**
   * Grants kept at or after `from` (the log keeps the last `limit`), whatever the window.
   * @param from - The earliest grant time counted, in ms.
   */
  countSince(from: number): number {
    let count = 0;
    for (const time of this.times) if (time >= from) count += 1;
    return count;
  }

  /**
   * Grants within the window ({@link count}) and how long ago the oldest of them was made (0 when
   * none is), from one search of the log: a grant reports both.
   * @param now - The current time in ms.
   */
  usage(now: number): { readonly count: number; readonly oldestAgeMs: number } {
    const first = this.firstInWindow(now);
    const count = this.times.length - first;
    if (count <= 0) return { count: 0, oldestAgeMs: 0 };
    return { count, oldestAgeMs: Math.max(0, now - (this.times[this.at(first)] ?? now)) };
  }

  /** Where the `logical`-th oldest entry sits in the ring. */
  private at(logical: number): number {
    return this.times.length === this.limit ? (this.head + logical) % this.limit : logical;
  }

  /**
   * The logical index of the oldest entry within `(now - windowMs, now]`. The log is kept in time
   * order: a few steps on from the last search's answer when the window slid forward since, else
   * a binary search.
   */
  private firstInWindow(now: number): number {
    const from = now - this.windowMs;
    const size = this.times.length;
    if (from >= this.cursorFrom && this.cursor <= size) {
      // Every entry before the cursor was at or before the last window's start, so before this one's.
      let index = this.cursor;
      const stop = Math.min(size, index + CURSOR_STEPS);
      while (index < stop && (this.times[this.at(index)] ?? Number.NEGATIVE_INFINITY) <= from) index += 1;
      if (index < stop || index === size) return this.keepCursor(index, from);
    }
    let low = 0;
    let high = size;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.times[this.at(mid)] ?? Number.NEGATIVE_INFINITY) > from) high = mid;
      else low = mid + 1;
    }
    return this.keepCursor(low, from);
  }

  private keepCursor(index: number, from: number): number {
    this.cursor = index;
    this.cursorFrom = from;
    return index;
  }

  /**
   * Whether every grant has left the window, so the log can be dropped.
   * @param now - The current time in ms.
   */
  isIdle(now: number): boolean {
    return this.last() + this.windowMs <= now;
  }

  /**
   * A log with other limits that keeps the most recent grants of this one (used when a caller
   * changes the limit or window of an existing key).
   * @param limit - The new limit.
   * @param windowMs - The new window.
   */
  resized(limit: number, windowMs: number): SlidingLog {
    const next = new SlidingLog(limit, windowMs);
    const ordered = [...this.times.slice(this.head), ...this.times.slice(0, this.head)];
    for (const t of ordered.slice(Math.max(0, ordered.length - limit))) next.add(t);
    return next;
  }

  private last(): number {
    if (this.times.length === 0) return Number.NEGATIVE_INFINITY;
    const index = this.times.length < this.limit ? this.times.length - 1 : (this.head + this.limit - 1) % this.limit;
    return this.times[index] ?? Number.NEGATIVE_INFINITY;
  }
}
