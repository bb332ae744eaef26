/**
 * Ends the cooldown of an anchored burst's first 429 before a whole-second `Retry-After` would,
 * when the server's window must have freed a slot by then, and asks with one request first.
 *
 * A `Retry-After` in whole seconds is rounded up: the server's own wait after a 429 at `t` with
 * `Retry-After: r` ends somewhere in `(t + r − 1 s, t + r]`, on average half a second before the
 * cooldown does. When the 429 ends a burst that started in an empty window (the anchor), the slot
 * that frees first is the anchor's, one server window after the server counted it, and the
 * server counted it by the anchor's answer. Graph's windows are whole seconds (1 s to 10 min), so
 * of the times *anchor counted + k s* (k a whole number) the first one after `t + r − 1 s` is at
 * or after that slot frees: the cooldown may end there. At a one-second window, where the
 * `Retry-After` is always 1 s, that saves the length of the first burst: 0.3 s of a 4 s run, traced.
 *
 * It is only as safe as its premise. A fixed window (it resets at its boundary, not one window
 * after the anchor) or a window of no whole number of seconds can still hold the slot then. So
 * the first request after the early end goes alone, and the rest follow its success; refused,
 * it gave its slot back and proved nothing but "not yet" (no decrease), and the cooldown runs to
 * what the first 429 vouched for, never beyond. A later 429 of the same burst whose own
 * `Retry-After` rules the early end out (its wait, counted from its grant, surely lasts past it)
 * cancels the plan.
 */
export class EarlyCooldownEnd {
  private plan: Plan | undefined;

  /**
   * Plans the early end for an anchored burst's first 429 (the caller checks that it is one, that
   * its `Retry-After` is in whole seconds, and that nobody shares the window).
   * @param now - When the 429 came.
   * @param anchorCountedBy - When the server had surely counted the burst's first request (its
   *   grant plus the longest recent round trip).
   * @param retryAfterMs - The 429's `Retry-After`, a whole number of seconds, in ms.
   * @returns The cooldown to hold from now: shorter than `retryAfterMs` when a whole number of
   *   seconds after the anchor falls before it, or `retryAfterMs`.
   */
  start(now: number, anchorCountedBy: number, retryAfterMs: number): number {
    this.plan = undefined;
    const surelyBy = now + retryAfterMs;
    // The server's wait is longer than the Retry-After less its rounding.
    const waitedPast = surelyBy - WHOLE_SECOND_MS;
    const seconds = Math.max(1, Math.floor((waitedPast - anchorCountedBy) / WHOLE_SECOND_MS) + 1);
    const endsAt = anchorCountedBy + seconds * WHOLE_SECOND_MS;
    if (endsAt > surelyBy - MIN_GAIN_MS) return retryAfterMs;
    this.plan = { endsAt, surelyBy, burstBy: now };
    return endsAt - now;
  }

  /**
   * The cooldown to hold for a later 429 while a plan stands: for one of the same burst, until
   * the early end (or its own `Retry-After`, if sooner), unless its `Retry-After` rules the early
   * end out; for the request that asked after the early end, until what the first 429 vouched
   * for at the latest.
   * @param now - When the 429 came.
   * @param grantedAt - When the refused request was granted.
   * @param cooldownMs - The cooldown its `Retry-After` asks for.
   * @param precisionMs - By how much that `Retry-After` may overstate the server's wait.
   */
  cooldownFor(now: number, grantedAt: number, cooldownMs: number, precisionMs: number): number {
    const plan = this.plan;
    if (plan === undefined) return cooldownMs;
    const ownEnd = now + cooldownMs;
    if (grantedAt <= plan.burstBy) {
      // The server refused it at some moment after its grant (a late answer may have been on its
      // way back for long), and its wait from then lasts longer than the Retry-After less its
      // rounding. Only a wait that surely lasts past the early end, counted from the grant, rules
      // the early end out: counted from the answer, every 429 of the burst answered after the early
      // end did (behind 50–300 ms of latency, the burst's last 429s), and the cooldown ran a whole
      // Retry-After from the last of them.
      if (grantedAt + cooldownMs - precisionMs >= plan.endsAt) {
        // The server still holds the slot past the early end: the premise failed.
        this.plan = undefined;
        return cooldownMs;
      }
      plan.surelyBy = Math.max(plan.surelyBy, ownEnd);
      return Math.max(0, Math.min(ownEnd, plan.endsAt) - now);
    }
    if (this.asking(grantedAt)) return Math.max(0, Math.min(ownEnd, plan.surelyBy) - now);
    // Sent once the burst's Retry-After had passed: the plan is over, this 429 is an ordinary one.
    if (grantedAt >= plan.surelyBy) this.plan = undefined;
    return cooldownMs;
  }

  /**
   * Whether a refused request was the one that asked after the early end: its 429 only says the
   * slot had not freed yet (no decrease, its slot goes back).
   * @param grantedAt - When the refused request was granted.
   */
  asking(grantedAt: number): boolean {
    const plan = this.plan;
    // 1 ms of slack: the request goes as the early end comes.
    return plan !== undefined && grantedAt >= plan.endsAt - 1 && grantedAt < plan.surelyBy;
  }

  /** Whether one request at a time asks: an early end is planned and no request after it has come back yet. */
  get gating(): boolean {
    return this.plan !== undefined;
  }

  /**
   * A request came back unthrottled (or a request granted after the `Retry-After` the plan holds
   * to came back at all): the plan is over.
   * @param grantedAt - When that request was granted.
   */
  answered(grantedAt: number): void {
    const plan = this.plan;
    if (plan !== undefined && grantedAt >= plan.endsAt - 1) this.plan = undefined;
  }
}

interface Plan {
  /** When the cooldown ends early. */
  readonly endsAt: number;
  /** When the `Retry-After`s of the burst's 429s say the server surely freed the slot. */
  surelyBy: number;
  /** When the burst's first 429 came: 429s of requests granted by then belong to the burst. */
  readonly burstBy: number;
}

const WHOLE_SECOND_MS = 1000;
/** Below this, an early end is not worth asking one request at a time. */
const MIN_GAIN_MS = 20;
