import { aFunction, numberWhere, positiveInteger, positiveNumber, valueWhere } from "../chain/optionRules.js";
import { optionSchema, resolveOptions } from "../chain/resolveOptions.js";
import { isBreakerStore, type BreakerPolicy, type BreakerState, type BreakerStore } from "../throttle/BreakerStore.js";
import type { ThrottleKeyFunction } from "../throttle/throttleIdentity.js";

/** Emitted when a circuit opens, goes half-open for its probe, or closes again. Holds no token. */
export interface CircuitStateEvent {
  /** The circuit key: `tenant/app@host`. */
  readonly key: string;
  /** The new state. */
  readonly state: BreakerState;
}

/** A listener for {@link CircuitStateEvent}s; it observes and cannot break the call. */
export type CircuitStateListener = (event: CircuitStateEvent) => void;

/**
 * Options of `CircuitBreakerHandler` (the `breaker` option of `createGraphClient`). Failures are
 * 5xx responses, 408, network failures and attempt timeouts; a 429 is throttling and never counts,
 * nor does any other 4xx.
 */
export interface CircuitBreakerOptions {
  /**
   * Opens after this many failures in a row.
   * @default 5 (when `failureRatio` is not set)
   */
  readonly consecutiveFailures?: number;
  /** Opens when this share of requests (0 < ratio ≤ 1) failed within one sampling window. @default none */
  readonly failureRatio?: number;
  /** The ratio is judged only once this many requests were counted in the window. @default 20 */
  readonly minimumRequests?: number;
  /** The sampling window of the ratio, in milliseconds (a new one starts when one ends). @default 30000 */
  readonly samplingMs?: number;
  /** How long an open circuit refuses requests before it lets one probe through, in milliseconds. @default 30000 */
  readonly breakMs?: number;
  /**
   * Where circuit state lives: a `MemoryThrottleStore` (this process) or the Redis store (a fleet
   * opens and closes together). Pass the throttle's store to share one.
   * @default a store of this handler's own
   */
  readonly store?: BreakerStore;
  /** Longest wait for the store; past it, or when the store fails, the request goes through (fail open). @default 1000 */
  readonly storeTimeoutMs?: number;
  /** Chooses tenant and app instead of the token's claims, as the throttle's `key` option. @default the token's `tid` and `appid` */
  readonly key?: ThrottleKeyFunction;
  /** Told when a circuit changes state. @default none */
  readonly onStateChange?: CircuitStateListener;
}

const fraction = numberWhere((n) => Number.isFinite(n) && n > 0 && n <= 1, "a number > 0 and <= 1");

/** The schema of {@link CircuitBreakerOptions} (also checks `createGraphClient`'s `breaker`). */
export const BREAKER_OPTIONS = optionSchema<CircuitBreakerOptions>()({
  name: "CircuitBreakerHandler options",
  defaults: { minimumRequests: 20, samplingMs: 30_000, breakMs: 30_000, storeTimeoutMs: 1_000 },
  rules: {
    consecutiveFailures: positiveInteger,
    failureRatio: fraction,
    minimumRequests: positiveInteger,
    samplingMs: positiveNumber,
    breakMs: positiveNumber,
    store: valueWhere<BreakerStore>(isBreakerStore, "a store with admitBreaker and recordBreaker (MemoryThrottleStore, the Redis store)"),
    storeTimeoutMs: positiveNumber,
    key: aFunction,
    onStateChange: aFunction,
  },
});

/** {@link CircuitBreakerOptions}, checked and defaulted. */
export interface CircuitBreakerSettings {
  readonly policy: BreakerPolicy;
  readonly store: BreakerStore | undefined;
  readonly storeTimeoutMs: number;
  readonly key: ThrottleKeyFunction | undefined;
  readonly onStateChange: CircuitStateListener | undefined;
}

/**
 * Checks and defaults breaker options.
 * @param options - What the user passed.
 * @throws InvalidOptionsError - Listing every problem.
 */
export function resolveBreakerOptions(options: CircuitBreakerOptions | undefined): CircuitBreakerSettings {
  const o = resolveOptions(BREAKER_OPTIONS, options);
  const ratio = o.failureRatio;
  const policy: BreakerPolicy = {
    consecutiveFailures: o.consecutiveFailures ?? (ratio === undefined ? 5 : undefined),
    failureRatio: ratio,
    minimumRequests: o.minimumRequests,
    samplingMs: ratio === undefined ? undefined : o.samplingMs,
    breakMs: o.breakMs,
  };
  return {
    policy,
    store: o.store,
    storeTimeoutMs: o.storeTimeoutMs,
    key: o.key as ThrottleKeyFunction | undefined,
    onStateChange: o.onStateChange as CircuitStateListener | undefined,
  };
}
