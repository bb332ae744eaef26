/** A source of random numbers in `[0, 1)`, like `Math.random`. Injectable so tests are repeatable. */
export type RandomSource = () => number;

/** The settings every backoff strategy starts from. */
export interface BackoffSettings {
  /** The base delay in milliseconds (the first and smallest step). */
  readonly baseMs: number;
  /** No delay is ever longer than this, in milliseconds. */
  readonly capMs: number;
  /** The random source for jitter. */
  readonly random: RandomSource;
}

/**
 * One step of a backoff: the delay before one retry. Immutable, as in cockatiel: `next()` returns
 * the step for the following retry and leaves this one unchanged.
 */
export interface Backoff {
  /** Which retry this delay is for (1 for the first retry). */
  readonly retry: number;
  /** The delay before that retry, in milliseconds (within `[0, capMs]`). */
  readonly delayMs: number;
  /** Returns the step for the following retry. */
  next(): Backoff;
}

/** What a custom backoff function is given for each retry. */
export interface BackoffFunctionContext extends BackoffSettings {
  /** Which retry the delay is for (1 for the first retry). */
  readonly retry: number;
  /** The delay used before the previous retry, or `undefined` for the first retry. */
  readonly previousDelayMs: number | undefined;
}

/**
 * A per-retry delay function: returns the delay in milliseconds before one retry. Turn it into a
 * strategy with `customBackoff(fn)`; the result is clamped to `[0, capMs]`.
 */
export type BackoffFunction = (context: BackoffFunctionContext) => number;

/**
 * Builds the first step (for retry 1) of a backoff from the handler's settings. The exported
 * `decorrelatedJitterBackoff`, `fullJitterBackoff`, `exponentialBackoff`, `constantBackoff` and
 * whatever `customBackoff(fn)` returns are builders.
 */
export type BackoffBuilder = (settings: BackoffSettings) => Backoff;

/** The names that stand for the built-in builders in the `backoff` option. */
export type BackoffName = "decorrelated" | "full" | "exponential" | "constant";

/**
 * What the `backoff` option accepts: a builder (`exponentialBackoff`, `customBackoff(fn)`, ...)
 * or the name of a built-in one.
 */
export type BackoffStrategy = BackoffName | BackoffBuilder;
