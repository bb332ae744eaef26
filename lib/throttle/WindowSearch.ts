/**
 * Narrows a learned window that is known only from above, one request at a time.
 *
 * A window learned from a whole-second `Retry-After` (rounded up by up to a second) or from the
 * first success after a refusal is an upper bound: up to a second too long for a 5 s window, up
 * to 1.5 s for one learned with a `Retry-After` that states less than the real wait. Enforced
 * as it is, every window of a long run costs that much more (about 7% of a 5 s row, 25% of a 2 s
 * one), and nothing else ever tightens it: a limit sent at a window too long draws no 429.
 *
 * So, while the learned window's limit is full of answered requests and nothing is in flight,
 * one request goes early: a window probe, at a length the window can still be. The
 * server holds our `limit` requests of the last window (their slots free one window after they
 * were counted, somewhere between grant and answer), so:
 * - **answered**: at least one of them had left the server's window when the probe arrived. It
 *   was answered no earlier than the oldest of them (`blockedBy`), and counted at most one round
 *   trip before its answer, so the window is at most `now − blockedBy + rtt`: a new upper bound.
 * - **refused**: all of them were still counted when it arrived (at or after its grant), the
 *   oldest counted no later than its answer, so the window is more than `grant − blockedBy`: a
 *   new lower bound. One 429, whose slot goes back.
 *
 * Real windows are whole seconds, so the whole seconds within the bounds are tried first, longest
 * first, until the window is within the tolerance above one that the lower bound does not rule out
 * (a window of no whole number of seconds stays that much too long, unless no whole second lies
 * within the bounds at all). Otherwise binary search, a few probes (one per window at most while
 * they are answered, a few in one window while they are refused) until the bounds are within
 * {@link toleranceMs}. This holds only while the
 * limit is the server's (exactly what it admitted, nobody else sharing it): a limit learned low
 * lets a probe through early, and the window shrinks below the server's. So any other 429 ends
 * the search, and one for a request granted at the shrunk window, within two windows of the
 * shrink, undoes it (see {@link refusedOther}).
 */
export class WindowSearch {
  /** The window is longer than this (ms). */
  private low: number;
  /** The probe out now: its grant time, and the answer time of the oldest request it went ahead of. */
  private out: { readonly at: number; readonly blockedBy: number } | undefined;
  /** The window before the first shrink, and when the last shrink was learned. */
  private shrunk: { readonly from: number; at: number } | undefined;
  /** The limit the search runs at (taken at the first probe): at another, it pauses. */
  private limit: number | undefined;
  /** When the limit moved away from {@link limit} (a drop, or a climb back), while it stays away. */
  private pausedAt: number | undefined;
  /** The bounds met, or the evidence stopped holding: no more probes. */
  done = false;

  /**
   * @param low - A lower bound of the window, in ms (what the teaching 429 proves).
   * @param startedAt - When the window was learned: the search gives up {@link MAX_SEARCH_WINDOWS}
   *   windows later (a queue that never fills the window leaves it nothing to probe).
   */
  constructor(
    low: number,
    private startedAt: number,
  ) {
    this.low = low;
    this.createdAt = startedAt;
  }

  /** When the window was learned: 429s of requests granted before belong to the burst that taught it. */
  private readonly createdAt: number;

  /**
   * When a probe may go, as a window length, or `undefined` (a probe is out, the bounds are met,
   * the limit is away from the one searched at).
   * @param now - The current time in ms.
   * @param windowMs - The learned window (the upper bound).
   * @param limit - The learned limit per window now.
   * @param toleranceMs - Bounds this close are met.
   */
  probeWindowMs(now: number, windowMs: number, limit: number, toleranceMs: number): number | undefined {
    if (this.done || this.out !== undefined) return undefined;
    this.limit ??= limit;
    if (!this.narrowing(now, windowMs, limit)) return undefined;
    // Real windows are whole seconds (Graph's are 1 s to 10 min): the whole seconds the bounds
    // allow are tried first, longest first, and the search ends once the window is within the
    // tolerance above one (refusing its next shorter one would cost a 429 for nothing).
    const second = Math.floor((windowMs - toleranceMs) / 1000) * 1000;
    const nearSecond = Math.floor(windowMs / 1000) * 1000;
    const atSecond = second <= this.low && nearSecond > this.low;
    if (windowMs - this.low <= toleranceMs || atSecond) {
      this.done = true;
      return undefined;
    }
    // 1 ms past it: a probe that leaves then reaches the server after the oldest request, counted
    // at most at its answer, has left a window of that length. No whole second within the bounds
    // (a window of no whole number of seconds): halve them.
    return second > this.low ? second + 1 : Math.ceil((this.low + windowMs) / 2);
  }

  /**
   * Whether the search is narrowing now (rate probing waits for it: a step above a window too long
   * lasts whatever the limit). It pauses while the limit is away from the one it searches at (the
   * bounds rest on that count: a limit that dropped is climbed back by probing), and resumes, with
   * its time budget anew, once the limit is back. It gives up {@link MAX_SEARCH_WINDOWS} windows
   * after it started or resumed.
   * @param now - The current time in ms.
   * @param windowMs - The learned window.
   * @param limit - The learned limit per window now.
   */
  narrowing(now: number, windowMs: number, limit: number): boolean {
    if (this.done) return false;
    if (this.limit !== undefined && limit !== this.limit) {
      this.pausedAt ??= now;
      return false;
    }
    if (this.pausedAt !== undefined) {
      this.pausedAt = undefined;
      this.startedAt = now;
    }
    if (now - this.startedAt > MAX_SEARCH_WINDOWS * windowMs) this.done = true;
    return !this.done;
  }

  /**
   * A probe was granted.
   * @param at - Its grant time.
   * @param blockedBy - When the oldest request it went ahead of was answered.
   */
  sent(at: number, blockedBy: number): void {
    this.out = { at, blockedBy };
  }

  /**
   * The probe was answered (not refused): the window is at most `now − blockedBy + rttMs`.
   * Returns the new, shorter window, or `undefined` when it shrinks nothing: then the round trip
   * is too coarse to narrow it further, and the search ends. So does an answer below the lower
   * bound, which contradicts the evidence (the limit is not all the server holds).
   * @param now - The answer time.
   * @param windowMs - The learned window now.
   * @param rttMs - The longest round trip of the last windows: how long before its answer the
   *   oldest request may have been counted.
   */
  answered(now: number, windowMs: number, rttMs: number): number | undefined {
    const out = this.out;
    this.out = undefined;
    if (out === undefined) return undefined;
    const bound = Math.ceil(now - out.blockedBy + rttMs);
    if (bound <= this.low) {
      this.done = true;
      return undefined;
    }
    // Answered, yet no tighter than the window: the round trip is too coarse to narrow it further.
    if (bound >= windowMs) {
      this.done = true;
      return undefined;
    }
    if (this.shrunk === undefined) this.shrunk = { from: windowMs, at: now };
    else this.shrunk.at = now;
    return bound;
  }

  /**
   * The probe was refused: the window is longer than its grant − `blockedBy`.
   * @param windowMs - The learned window now (the bound never passes it).
   */
  refused(windowMs: number): void {
    const out = this.out;
    this.out = undefined;
    if (out === undefined) return;
    this.low = Math.min(windowMs, Math.max(this.low, out.at - out.blockedBy));
  }

  /** The probe's answer says nothing (a fault: it may never have reached the counter). */
  lost(): void {
    this.out = undefined;
  }

  /**
   * A 429 of a request (not a probe, nor a probe step's) granted since the search began: the
   * server is not the plain sliding window of the searched limit (a limit that dropped, a fixed
   * window that reset early, a limit learned low), and the search ends. When the request was granted
   * at a window the search shrank, within two windows of the last shrink, the shrink is undone:
   * returns the window to go back to, else `undefined`.
   * @param now - The current time in ms.
   * @param grantedAt - When the refused request was granted.
   * @param windowMs - The learned window now.
   */
  refusedOther(now: number, grantedAt: number, windowMs: number): number | undefined {
    if (grantedAt < this.createdAt) return undefined;
    this.done = true;
    this.out = undefined;
    const shrunk = this.shrunk;
    this.shrunk = undefined;
    if (shrunk === undefined || grantedAt < shrunk.at || now - shrunk.at > 2 * windowMs) return undefined;
    return shrunk.from;
  }
}

/** Windows after which a search that has not met its bounds gives up (a probe goes once per window at most while answered). */
const MAX_SEARCH_WINDOWS = 8;

/**
 * The bounds a search stops at: 2% of the window (a window 2% too long costs 2% of a long run,
 * and each refused probe a 429), and no tighter than two round trips (a probe's answer bounds
 * the window only to within one), nor than 20 ms.
 * @param windowMs - The learned window.
 * @param rttMs - The longest recent round trip.
 */
export function toleranceMs(windowMs: number, rttMs: number): number {
  return Math.max(20, windowMs / 50, 2 * rttMs);
}
