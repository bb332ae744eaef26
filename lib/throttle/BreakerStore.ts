/**
 * Where circuit-breaker state lives, so every process sharing a store opens and closes a circuit
 * together. `MemoryThrottleStore` and the Redis store implement it beside {@link ThrottleStore}.
 *
 * Like the throttle store, it takes durations and never wall-clock timestamps (each store uses
 * its own clock), and each method is atomic with respect to other callers of the same store.
 *
 * @see ThrottleStore
 */
export interface BreakerStore {
  /**
   * Asks whether a request may go out. While closed, every request may; while open, none may until
   * `breakMs` has passed; then exactly one caller is let through as the half-open probe (its lease
   * lasts `breakMs`, so a probe that never reports back does not keep the circuit shut forever).
   * @param key - The circuit key.
   * @param policy - The thresholds and break duration.
   */
  admitBreaker(key: string, policy: BreakerPolicy): Promise<BreakerAdmission>;

  /**
   * Records how an admitted request ended. While closed, failures count toward the thresholds
   * (`"neutral"` outcomes, such as a 429, count for nothing); reaching one opens the circuit for
   * `breakMs`. A probe's outcome closes the circuit (success or neutral) or opens it again (failure).
   * Outcomes of requests admitted before the circuit opened are ignored while it is open.
   * @param key - The circuit key.
   * @param outcome - How the request ended.
   * @param probe - Whether it was the half-open probe.
   * @param policy - The thresholds and break duration.
   * @returns The circuit's state afterwards, and whether this outcome changed it.
   */
  recordBreaker(key: string, outcome: BreakerOutcome, probe: boolean, policy: BreakerPolicy): Promise<BreakerTransition>;
}

/** The state of one circuit. */
export type BreakerState = "closed" | "open" | "half-open";

/** How a request ended, for the breaker. */
export type BreakerOutcome = "success" | "failure" | "neutral";

/** The thresholds and break duration, already checked. At least one threshold is set. */
export interface BreakerPolicy {
  /** Opens after this many failures in a row. */
  readonly consecutiveFailures?: number | undefined;
  /** Opens when failures / requests reaches this within one sampling window... */
  readonly failureRatio?: number | undefined;
  /** ...once at least this many requests were counted in it... */
  readonly minimumRequests?: number | undefined;
  /** ...whose length is this, in milliseconds (a new window starts when one ends). */
  readonly samplingMs?: number | undefined;
  /** How long the circuit stays open before one probe is let through, in milliseconds. */
  readonly breakMs: number;
}

/** The answer of {@link BreakerStore.admitBreaker}. */
export type BreakerAdmission =
  | { readonly admitted: true; /** Whether this request is the half-open probe. */ readonly probe: boolean }
  | { readonly admitted: false; /** How long until a probe may be let through, in ms (> 0). */ readonly retryInMs: number };

/** The answer of {@link BreakerStore.recordBreaker}. */
export interface BreakerTransition {
  /** The state after the outcome was recorded. */
  readonly state: BreakerState;
  /** Whether this outcome changed the state (opened or closed the circuit). */
  readonly changed: boolean;
}

/**
 * Whether a store also keeps breaker state.
 * @param store - Any store.
 */
export function isBreakerStore(store: unknown): store is BreakerStore {
  const candidate = store as Partial<BreakerStore> | null;
  return typeof candidate?.admitBreaker === "function" && typeof candidate.recordBreaker === "function";
}
