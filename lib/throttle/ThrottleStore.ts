/**
 * Where throttle state lives. The in-memory store is the default; the Redis store
 * (`msgraph-software-update-status/redis`) shares the same state across processes.
 *
 * Every method takes durations, never wall-clock timestamps, so each store uses one clock of its
 * own (a Redis store uses the Redis server's `TIME`), and processes with skewed clocks agree.
 * Every method must be atomic with respect to other callers of the same store.
 */
export interface ThrottleStore {
  /**
   * Tries to take one slot for a request. A slot is granted only when the key is not cooling
   * down, the pacer is due, and every sliding window has room; then one slot is taken in every
   * window and the pacer advances, all at once. Otherwise nothing changes.
   * @param request - The windows, pacer and cooldown that apply to this request.
   */
  reserve(request: ReserveRequest): Promise<ReserveResult>;

  /**
   * Extends a shared cooldown so that it lasts at least `durationMs` from now. Never shortens an
   * existing cooldown. Resolves to the remaining cooldown in milliseconds.
   * @param key - The cooldown key.
   * @param durationMs - How long the cooldown must last from now (sub-millisecond values are rounded up).
   */
  extendCooldown(key: string, durationMs: number): Promise<number>;

  /**
   * Resolves to the remaining cooldown for a key in milliseconds (0 when none).
   * @param key - The cooldown key.
   */
  cooldownRemaining(key: string): Promise<number>;

  /**
   * Reads an adaptive rate (requests per second), or `undefined` when none was learned yet.
   * @param key - The rate key.
   */
  readRate(key: string): Promise<number | undefined>;

  /**
   * Atomically changes an adaptive rate and resolves to the new value:
   * `rate = clamp((current ?? initial) * multiply + add, min, max)`, or `clamp(set, min, max)` when
   * `set` is given; with `onlyIf`, only while the rate is that value (else resolves to the rate as it is).
   * @param key - The rate key.
   * @param change - The change to apply.
   */
  adjustRate(key: string, change: RateChange): Promise<number>;

  /**
   * Gives back one grant in each window: the grant named by `ticket`, else the newest entry. Called when an attempt got
   * no answer from the service it was counted for (a 502/503/504 from a gateway, or no response
   * at all), so a failed attempt does not use up budget the server never counted. Optional: a
   * store without it simply keeps the grant, which only errs on the careful side.
   * @param request - The keys of the windows the grant was taken in.
   */
  refund?(request: RefundRequest): Promise<void>;

  /**
   * Moves a grant in each window from its grant time to now, when its response came: the server
   * counted the request at some moment between our send and its response, so a slot held until
   * one window after the response can never free early, whatever the network delay. Optional: a
   * store without it frees slots one window after the grant (the handler's per-process window
   * still holds them until a window after the response).
   * @param request - The grant's ticket and the windows it was taken in.
   */
  settle?(request: SettleRequest): Promise<void>;

  /**
   * Counts the grants in a window made within the last `spanMs`, answered only while the cooldown
   * key is active: nothing is granted meanwhile, so the count is of what came before it. Adaptive
   * mode reads a fleet's first burst with it once every answer of the burst is in and its refused
   * requests were given back, which leaves exactly what the server admitted (see `AdaptiveRate`).
   * Resolves to `undefined` when the cooldown is not active. Optional: without it, each process
   * estimates the fleet's count from its share of the grants, which errs on the low side.
   * @param request - The window, the span and the cooldown key.
   */
  countGrants?(request: CountRequest): Promise<number | undefined>;

  /** Releases resources the store owns (not a client the user passed in). */
  close?(): Promise<void>;
}

/** What {@link ThrottleStore.countGrants} counts. */
export interface CountRequest {
  /** The store key of the window (as in {@link WindowSpec.key}). */
  readonly windowKey: string;
  /** Grants made within this many milliseconds before now are counted. */
  readonly spanMs: number;
  /** The cooldown that must still hold for the count to be answered. */
  readonly cooldownKey: string;
}

/** One sliding-window budget: at most `limit` grants in any span of `windowMs`. */
export interface WindowSpec {
  /** The store key of this window (already prefixed by scope, e.g. tenant and app). */
  readonly key: string;
  /** Grants allowed in any span of `windowMs`. */
  readonly limit: number;
  /** The window length in milliseconds. */
  readonly windowMs: number;
  /**
   * The part of `windowMs` that only covers the time between a grant and the server counting it
   * (a budget's safety margin). An answered grant needs none ({@link ThrottleStore.settle} moves it
   * to its response time less this, so it frees one nominal window after its answer). @default 0
   */
  readonly marginMs?: number;
  /**
   * How long grants stay in the store's log, when longer than `windowMs`: a request that counts
   * over a shorter span than the others (an adaptive window probe) must not drop the grants they
   * still count, and slow start's grants, counted in a second, must still be there when the
   * window its first 429 teaches is known. (The Redis store never shortens a key's life by a
   * later, shorter keep: its TTL only grows.) @default windowMs
   */
  readonly keepMs?: number;
}

/** What one request needs from the store. */
export interface ReserveRequest {
  /** Sliding-window budgets; a slot is taken in all of them or in none. */
  readonly windows: readonly WindowSpec[];
  /** Smooth pacing: grants for `key` are at least `intervalMs` apart. */
  readonly pace?: { readonly key: string; readonly intervalMs: number };
  /** The shared cooldown key; nothing is granted while it is active. */
  readonly cooldownKey: string;
}

/** What {@link ThrottleStore.refund} gives back. */
export interface RefundRequest {
  /** The store keys of the windows (as in {@link WindowSpec.key}). */
  readonly windowKeys: readonly string[];
  /** The grant's ticket from {@link ThrottleStore.reserve}; without one, the newest grant is given back. */
  readonly ticket?: string;
}

/** What {@link ThrottleStore.settle} moves. */
export interface SettleRequest {
  /** The ticket {@link ThrottleStore.reserve} answered with the grant. */
  readonly ticket: string;
  /** The windows the grant was taken in. */
  readonly windows: readonly WindowSpec[];
}

/** The outcome of {@link ThrottleStore.reserve}. */
export type ReserveResult =
  | {
      readonly granted: true;
      /** Names the grant in its windows, for {@link ThrottleStore.settle} (stores without `settle` omit it). */
      readonly ticket?: string;
      /**
       * Grants in the first window now, this one included, by every process that shares the store.
       * Adaptive mode compares it with its own count to learn its share of a fleet's traffic, and
       * reads the server's limit for the whole fleet from what it saw itself. Optional: without it,
       * each process reads its own share as the limit, which only errs on the careful side.
       */
      readonly used?: number;
      /**
       * How long ago the oldest grant still in the first window was made, by any process (0 when
       * this grant is the only one). A burst this process starts may have begun earlier in the
       * fleet: adaptive mode measures the server's window from the fleet's first grant, so it stays
       * an upper bound. Optional, like `used`.
       */
      readonly oldestAgeMs?: number;
    }
  | {
      readonly granted: false;
      /** How long until a retry can succeed, in milliseconds (> 0). */
      readonly retryInMs: number;
      /** What refused the slot. */
      readonly reason: "cooldown" | "budget" | "pace";
    };

/** A change to an adaptive rate; see {@link ThrottleStore.adjustRate}. */
export interface RateChange {
  /** Starting value when no rate is stored yet. */
  readonly initial: number;
  /**
   * Apply the change only while the rate is this value (or, when none is stored, while `initial`
   * is); otherwise leave it and answer the stored rate. Adaptive mode sends every increase this
   * way, so processes sharing a rate do not each double it, nor raise it over a decrease another
   * process just made. A store that ignores it applies every change, which errs towards 429s.
   */
  readonly onlyIf?: number;
  /** Factor applied to the current rate. @default 1 */
  readonly multiply?: number;
  /** Amount added after multiplying. @default 0 */
  readonly add?: number;
  /** Replaces the rate outright (still clamped). */
  readonly set?: number;
  /** Lower bound. */
  readonly min: number;
  /** Upper bound. */
  readonly max: number;
}
