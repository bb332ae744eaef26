/** The longest delay one `setTimeout` holds: 2^31 - 1 ms (about 24.8 days). A longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * The one rule for every delay we hand to a timer: at least 0, at most {@link MAX_TIMER_MS}.
 * A bare `setTimeout(fn, 1e12)` overflows into a 1 ms timer, so a caller that sleeps "until the
 * window frees" would spin; a clamped timer fires at the maximum instead, and the caller checks
 * again (or {@link setSafeTimeout} re-arms for the rest).
 * @param ms - The wanted delay; `NaN` and negatives mean 0.
 */
export function clampTimerDelay(ms: number): number {
  return ms > 0 ? Math.min(ms, MAX_TIMER_MS) : 0;
}

/** A timer set by {@link setSafeTimeout}. */
export interface SafeTimer {
  /** Cancels the timer (idempotent). */
  clear(): void;
}

/** Options of {@link setSafeTimeout}. */
export interface SafeTimerOptions {
  /**
   * Do not keep a Node process alive for this timer (housekeeping such as sweeping idle state).
   * Ignored where timers have no `unref` (browsers). @default false
   */
  readonly unref?: boolean;
}

/**
 * Calls `callback` once, after `ms`. A wait beyond one timer's range is served in steps of at
 * most {@link MAX_TIMER_MS}, so it neither overflows into a spin nor fires early; `Infinity`
 * never fires.
 * @param callback - What to run.
 * @param ms - The delay; `NaN` and negatives mean 0.
 * @param options - `unref`.
 */
export function setSafeTimeout(callback: () => void, ms: number, options: SafeTimerOptions = {}): SafeTimer {
  let left = ms > 0 ? ms : 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    const step = clampTimerDelay(left);
    left -= step;
    timer = setTimeout(() => {
      if (left > 0) arm();
      else {
        timer = undefined;
        callback();
      }
    }, step);
    if (options.unref === true) (timer as { unref?: () => void }).unref?.();
  };
  arm();
  return {
    clear: () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      left = 0;
    },
  };
}
