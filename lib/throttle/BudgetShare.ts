import type { LocalWindow } from "./LocalWindow.js";
import { RecentCounter } from "./RecentCounter.js";

/** Buckets of a window's success count: its precision is a twentieth of the window. */
const BUCKETS = 20;

/**
 * This process's share of one configured budget. A budget names the server's limit, which this
 * process takes as its own to spend; when it is not (a fleet without a shared store, another app
 * of the tenant, a limit lower than configured), only 429s that the budget did not predict tell.
 * Then the share follows the rule adaptive mode uses in a fleet: it falls to what the window
 * admitted this process, by at most half (the 429s of requests granted before a cut belong to the
 * overshoot it answered), and after each full window spent without a 429 it grows back by steps
 * that double (1, 2, 4, …), up to the budget. A process that is alone never sees such a 429, and
 * keeps the whole budget.
 */
export class BudgetShare {
  private current: number;
  private step = 1;
  /** When the share was last cut (grants before it were sent at the old share). */
  private cutAt = Number.NEGATIVE_INFINITY;
  /** When the share last changed: it grows only a full window after that. */
  private changedAt = Number.NEGATIVE_INFINITY;
  private successes: RecentCounter;

  /**
   * @param limit - The budget's limit, requests per window.
   * @param windowMs - The budget's window, in ms.
   */
  constructor(
    private budgetLimit: number,
    private windowMs: number,
  ) {
    this.current = budgetLimit;
    this.successes = new RecentCounter(windowMs / BUCKETS, BUCKETS);
  }

  /** The budget's limit, requests per window. */
  get limit(): number {
    return this.budgetLimit;
  }

  /** Requests per window this process may send now: the budget's limit until a 429 it did not predict. */
  get share(): number {
    return this.current;
  }

  /**
   * The budget was configured again: a changed limit or window starts over at the whole budget.
   * @param limit - The budget's limit.
   * @param windowMs - Its window, in ms.
   */
  resize(limit: number, windowMs: number): void {
    if (limit === this.budgetLimit && windowMs === this.windowMs) return;
    this.budgetLimit = limit;
    this.windowMs = windowMs;
    this.current = limit;
    this.step = 1;
    this.cutAt = Number.NEGATIVE_INFINITY;
    this.changedAt = Number.NEGATIVE_INFINITY;
    this.successes = new RecentCounter(windowMs / BUCKETS, BUCKETS);
  }

  /**
   * A request of the budget was refused (429).
   * @param now - The current time in ms.
   * @param grantAt - When the request was granted.
   * @returns Whether the share was cut.
   */
  refused(now: number, grantAt: number): boolean {
    if (grantAt < this.cutAt || this.current <= 1) return false;
    // Successes whose buckets lie wholly within the last window: a count that never overstates it.
    const admitted = this.successes.countWithin(now, this.windowMs);
    this.current = Math.max(1, Math.min(this.current - 1, Math.max(Math.ceil(this.current / 2), admitted)));
    this.step = 1;
    this.cutAt = now;
    this.changedAt = now;
    return true;
  }

  /**
   * A request of the budget was answered without a 429.
   * @param now - The current time in ms.
   * @param window - The budget's local window: what this process holds of it now (read only when
   *   the share may grow, not for every success).
   * @returns Whether the share grew.
   */
  succeeded(now: number, window: Pick<LocalWindow, "used">): boolean {
    this.successes.add(now);
    // Only a share in use is probed: an idle process learns nothing about room by waiting.
    if (this.current >= this.budgetLimit || now - this.changedAt < this.windowMs || window.used(now) < this.current) return false;
    this.current = Math.min(this.budgetLimit, this.current + this.step);
    this.step *= 2;
    this.changedAt = now;
    return true;
  }
}
