/** Why requests wait (or were refused), or what the throttle found out: see {@link ThrottleEvent}. */
export type ThrottleReason =
  | "cooldown"
  | "budget"
  | "pace"
  | "concurrency"
  | "queue-full"
  | "quota"
  | "refunds-off"
  | "budget-share"
  | "retry-after-unreadable";

/**
 * Something held requests back. Emitted when the head of a queue is refused by the store
 * (`cooldown`, `budget`, `pace`), when a throttled response starts or extends a cooldown
 * (`cooldown`), when the in-flight limit blocks a queue (`concurrency`), and when a request is
 * refused because its queue is full (`queue-full`). Also emitted when the server's proactive
 * headers (`RateLimit-Remaining` with `RateLimit-Reset`) left no room until their reset and the
 * queue waits for it (`quota`); once per key when a 429 followed refunded attempts, so the key's
 * faulted attempts keep their slots from then on (`refunds-off`, `waitMs` 0); when a 429 came that
 * a configured budget did not predict (another process or app spends it too), so this process's
 * share of the budget was cut (`budget-share`, `waitMs` 0; see `BudgetUseStats.share`); and once per handler
 * when a 429 came without a readable `Retry-After` (`retry-after-unreadable`: a browser hides it
 * unless the server exposes it; the handler cools down for `defaultCooldownMs`, given as `waitMs`,
 * and keeps learning from the 429s alone). Never contains a token.
 */
export interface ThrottleEvent {
  /** The throttle key: `tenant/app`, then `/workload` for a workload Graph limits on its own. */
  readonly key: string;
  /** The tenant of the key. */
  readonly tenant: string;
  /** The app of the key (`*` when unknown). */
  readonly app: string;
  /** The Graph workload of the key (`intune`, `sharepoint`, `teams`, `outlook:<digest>`: one per mailbox, named by a digest, never its address), `""` for the rest. */
  readonly workload: string;
  /** Why. */
  readonly reason: ThrottleReason;
  /** How long the wait is expected to last, in milliseconds (0 when unknown, as for `concurrency`). */
  readonly waitMs: number;
  /** Requests waiting in this key's queues at the time. */
  readonly queued: number;
}

/** A listener of {@link ThrottleEvent}s. */
export type ThrottleListener = (event: ThrottleEvent) => void;

/** The learned rate of one route class of a key (adaptive mode). */
export interface AdaptiveRateStats {
  /** `write` or `read`. */
  readonly requests: "write" | "read";
  /** The current rate, requests per second. */
  readonly rate: number;
  /** `slow-start` until the first 429, then `steady`. */
  readonly phase: "slow-start" | "steady";
  /** The limit estimated at the last 429, requests per second. */
  readonly ceiling: number | undefined;
  /** Rate decreases (one per burst of 429s). */
  readonly decreases: number;
  /**
   * The server's window as learned, in ms (`undefined` while the limit is kept as a one-second
   * rate): `rate × windowMs / 1000` requests go in any span of it.
   */
  readonly windowMs: number | undefined;
  /**
   * The server's limit on requests in flight as learned (a 429 deeper than any answered request,
   * confirmed by an answer to the next request), or `undefined` while none was found.
   */
  readonly concurrencyLimit: number | undefined;
}

/** How much of a known budget this process used in the last window. */
export interface BudgetUseStats {
  /** The budget's name. */
  readonly name: string;
  /** Grants in the last `windowMs` by this process (bucket precision). */
  readonly used: number;
  /** The budget's limit. */
  readonly limit: number;
  /**
   * Requests per window this process takes of the budget: `limit`, until a 429 the budget did not
   * predict; then what the window admitted it (at least half), growing back by doubling steps
   * after each full window spent without one.
   */
  readonly share: number;
  /** The budget's window in milliseconds (margin included). */
  readonly windowMs: number;
}

/** A snapshot of one throttle key. */
export interface ThrottleKeyStats {
  /** `tenant/app`, then `/workload` for a workload Graph limits on its own. */
  readonly key: string;
  /** The tenant. */
  readonly tenant: string;
  /** The app (`*` when unknown). */
  readonly app: string;
  /** The Graph workload (`intune`, `sharepoint`, `teams`, `outlook:<digest>`: one per mailbox, named by a digest, never its address), `""` for the rest. */
  readonly workload: string;
  /** Requests waiting in the queue. */
  readonly queued: number;
  /** Requests sent and not yet answered. */
  readonly inFlight: number;
  /** Requests sent since the key became active. */
  readonly sent: number;
  /** `429` responses seen. */
  readonly throttled: number;
  /** Requests refused without being sent: the queue was full, or a cooldown was longer than they accept. */
  readonly rejected: number;
  /**
   * When the last known cooldown ends, if still active: ms since epoch by the handler's clock, which
   * by default is monotonic (`performance.timeOrigin + performance.now()`); compare it with that,
   * not with `Date.now()`, which steps when the wall clock is corrected.
   */
  readonly cooldownUntil: number | undefined;
  /** Faulted attempts still give their slots back (`refundFailedAttempts`, until a 429 followed a refund). */
  readonly refunding: boolean;
  /** Adaptive rates of the key's route classes that have no known budget. */
  readonly rates: readonly AdaptiveRateStats[];
  /** Use of the known budgets that applied to the key's requests. */
  readonly budgets: readonly BudgetUseStats[];
}
