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

/** The timer functions a timer was started with. */
interface TimerClock {
  readonly set: typeof setTimeout;
  readonly clear: typeof clearTimeout;
}

// Read at start, so a timer keeps to the clock it started on: a step or a repeat never moves a
// real timer onto fake timers installed later (nor the reverse). Bound to globalThis: a browser's
// timer functions throw "Illegal invocation" when called as a method of another object.
const currentClock = (): TimerClock => ({ set: globalThis.setTimeout.bind(globalThis), clear: globalThis.clearTimeout.bind(globalThis) });

/**
 * Calls `callback` once, after `ms`. A wait beyond one timer's range is served in steps of at
 * most {@link MAX_TIMER_MS}, so it neither overflows into a spin nor fires early; `Infinity`
 * never fires.
 * @param callback - What to run.
 * @param ms - The delay; `NaN` and negatives mean 0.
 * @param options - `unref`.
 */
export function setSafeTimeout(callback: () => void, ms: number, options: SafeTimerOptions = {}): SafeTimer {
  return schedule(currentClock(), callback, ms, options.unref === true);
}

/**
 * A {@link setSafeTimeout} that keeps to the timer functions of the moment it is made. For a loop
 * that re-arms itself from its own callback (as {@link setSafeInterval} does): each turn stays on
 * the clock the loop started on, so fake timers installed later never take over its next turn.
 */
export function boundSafeTimeout(): (callback: () => void, ms: number, options?: SafeTimerOptions) => SafeTimer {
  const clock = currentClock();
  return (callback, ms, options = {}) => schedule(clock, callback, ms, options.unref === true);
}

/**
 * Calls `callback` every `ms` (each period starts when the previous call returned) until cleared;
 * the callback may clear it. Periods are clamped and stepped as in {@link setSafeTimeout}.
 * @param callback - What to run.
 * @param ms - The period; `NaN` and negatives mean 0.
 * @param options - `unref`.
 */
export function setSafeInterval(callback: () => void, ms: number, options: SafeTimerOptions = {}): SafeTimer {
  const set = boundSafeTimeout();
  let current: SafeTimer | undefined;
  let stopped = false;
  const next = (): void => {
    current = set(
      () => {
        callback();
        if (!stopped) next();
      },
      ms,
      options,
    );
  };
  next();
  return {
    clear: () => {
      stopped = true;
      current?.clear();
    },
  };
}

function schedule(clock: TimerClock, callback: () => void, ms: number, unref: boolean): SafeTimer {
  let left = ms > 0 ? ms : 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = (): void => {
    const step = clampTimerDelay(left);
    left -= step;
    timer = clock.set(() => {
      if (left > 0) arm();
      else {
        timer = undefined;
        callback();
      }
    }, step);
    if (unref) (timer as { unref?: () => void }).unref?.();
  };
  arm();
  return {
    clear: () => {
      if (timer !== undefined) clock.clear(timer);
      timer = undefined;
      left = 0;
    },
  };
}
