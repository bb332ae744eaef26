import { SlidingLog } from "./SlidingLog.js";

/**
 * This process's side of one sliding window (a budget, or the learned window of adaptive mode).
 *
 * The store logs grant times, but the server counts a request when it arrives, which can be much
 * later under load (a burst queues in the event loop and on the network). A response time is a
 * sure upper bound of the arrival, so here a request occupies the window from its grant until
 * `windowMs` after its response. Then no request of ours can land in the server's window early,
 * whatever the jitter, and no safety margin has to be guessed for it.
 */
export class LocalWindow {
  /** Response times of answered requests. */
  private settled: SlidingLog;
  /** Granted and not answered yet. */
  inFlight = 0;
  /** When the last grant was refunded (a faulted attempt), for checking refunds against later 429s. */
  private lastRefundAt = Number.NEGATIVE_INFINITY;
  /** When the last refused (429) request that kept its slot was answered (see {@link earlyWait}). */
  private lastRefusedAt = Number.NEGATIVE_INFINITY;

  /**
   * @param name - The budget's name (for stats).
   * @param limit - Requests allowed in any span of `windowMs`.
   * @param windowMs - The window, in ms.
   */
  constructor(
    readonly name: string,
    limit: number,
    windowMs: number,
  ) {
    this.settled = new SlidingLog(limit, windowMs);
  }

  /** Requests allowed per window. */
  get limit(): number {
    return this.settled.limit;
  }

  /** The window, in ms. */
  get windowMs(): number {
    return this.settled.windowMs;
  }

  /**
   * Changes the limit or window, keeping the recent answers.
   * @param limit - The new limit.
   * @param windowMs - The new window.
   */
  resize(limit: number, windowMs: number): void {
    if (limit !== this.settled.limit || windowMs !== this.settled.windowMs) this.settled = this.settled.resized(limit, windowMs);
  }

  /**
   * Milliseconds until one more request fits (`Infinity` while requests in flight fill it).
   * @param now - The current time in ms.
   */
  waitMs(now: number): number {
    return this.settled.waitMs(now, this.inFlight);
  }

  /**
   * Milliseconds until `count` more requests fit at once (`Infinity` while requests in flight fill it).
   * @param now - The current time in ms.
   * @param count - Requests that must fit together.
   */
  waitForMs(now: number, count: number): number {
    return this.settled.waitMs(now, this.inFlight + count - 1);
  }

  /**
   * When one request could go ahead of the window as if it were `windowMs` long (a window probe,
   * see `WindowSearch`): the wait, and the answer time of the oldest request it goes ahead of.
   * `undefined` unless the window is full of answered requests, none of them refused, and nothing
   * is in flight. A refused request may hold a place here that the server never counted (most do
   * not count what they refuse): the server's window then has room, and an early answer would
   * prove nothing about its length.
   * @param now - The current time in ms.
   * @param windowMs - The shorter window to try.
   */
  earlyWait(now: number, windowMs: number): { readonly waitMs: number; readonly blockedBy: number } | undefined {
    if (!this.quiet(now)) return undefined;
    const blockedBy = this.settled.oldestKept();
    if (blockedBy + this.windowMs <= now) return undefined;
    return { waitMs: Math.max(0, blockedBy + windowMs - now), blockedBy };
  }

  /**
   * Nothing of ours is in flight, and no refused request of ours that kept its slot is within the
   * window: what this process adds to a full window is all answered and counted (see {@link earlyWait}).
   * @param now - The current time in ms.
   */
  quiet(now: number): boolean {
    return this.inFlight === 0 && now - this.lastRefusedAt >= this.windowMs;
  }

  /** A request was granted. */
  granted(): void {
    this.inFlight += 1;
  }

  /**
   * Frees the slot of a refunded attempt without counting it (the server never counted it).
   * @param now - The current time in ms.
   * @param checked - Whether a 429 soon after is to be read as the server counting it (see
   *   {@link refundedWithin}); not for a refused request of a burst that taught the limit. @default true
   */
  cancel(now: number, checked = true): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (checked) this.lastRefundAt = now;
  }

  /**
   * Whether a grant was refunded within the last `spanMs` (at least one window): a 429 now may
   * mean the server counted what we gave back.
   * @param now - The current time in ms.
   * @param spanMs - How far back to look; the window itself at least.
   */
  refundedWithin(now: number, spanMs: number): boolean {
    return now - this.lastRefundAt < Math.max(spanMs, this.windowMs);
  }

  /**
   * A granted request was answered (or failed).
   * @param now - The current time in ms.
   * @param refused - It was refused (429) and keeps its slot. @default false
   */
  settle(now: number, refused = false): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.settled.add(now);
    if (refused) this.lastRefusedAt = now;
  }

  /**
   * Requests in the window now: answered within it, plus in flight.
   * @param now - The current time in ms.
   */
  used(now: number): number {
    return this.settled.count(now) + this.inFlight;
  }
}
