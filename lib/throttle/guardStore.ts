import { MemoryThrottleStore } from "./MemoryThrottleStore.js";
import { mirrorStoreCall, probeStoreCall, runStoreCall, type StoreCall } from "./storeCall.js";
import type { StoreFallbackEvent, StoreRecoverEvent } from "./StoreEvents.js";
import { createStoreOutage } from "./storeOutage.js";
import { withStoreTimeout } from "./storeTimeout.js";
import type { CountRequest, RefundRequest, SettleRequest, ThrottleStore } from "./ThrottleStore.js";

/** Settings of {@link guardStore}, already defaulted. */
export interface GuardStoreSettings {
  /** Longest wait for one call (and one probe), in milliseconds. */
  readonly timeoutMs: number;
  /** Delay between recovery probes during an outage, in milliseconds. */
  readonly probeIntervalMs: number;
  /** Answers while the store is down. */
  readonly fallback: ThrottleStore;
  /** The clock, in milliseconds (outage durations). */
  readonly now: () => number;
  /** Told once per outage. */
  readonly onFallback?: ((event: StoreFallbackEvent) => void) | undefined;
  /** Told when the store is back. */
  readonly onRecover?: ((event: StoreRecoverEvent) => void) | undefined;
}

/** A store behind the guard. */
export interface GuardedStore extends ThrottleStore {
  /** Whether calls currently go to the fallback. */
  readonly usingFallback: boolean;
  /** Gives grants back, in the store or in the fallback. */
  refund(request: RefundRequest): Promise<void>;
  /** Moves grants to their response time, in the store or in the fallback. */
  settle(request: SettleRequest): Promise<void>;
  /** Counts a window's grants while a cooldown holds, in the store only (`undefined` when it cannot, or is down). */
  countGrants(request: CountRequest): Promise<number | undefined>;
  /** Stops probing (the guarded store and the fallback are not closed). */
  close(): Promise<void>;
}

/**
 * The one failure layer between the handler and its store, for any store (Redis or your own).
 * Stores themselves have no timeout or fallback of their own, so an outage is seen once, timed
 * once and reported once (`onFallback` / `onRecover`), here.
 *
 * No call waits longer than `timeoutMs` or fails because of the store: on the first error or
 * timeout the guard answers from `fallback` (per-process throttling: failing open would let every
 * instance overshoot at once, failing closed would stall all traffic), sends the following calls
 * straight there, and every `probeIntervalMs` replays the failed call on the store (a real
 * operation, so a fault only that operation hits keeps it on the fallback instead of flapping)
 * until one succeeds. While the store works, its grants, cooldowns and rates are copied into the
 * fallback, so a switch starts from warm state.
 * @param store - The configured store.
 * @param settings - Timeout, probing, fallback and listeners.
 */
export function guardStore(store: ThrottleStore, settings: GuardStoreSettings): GuardedStore {
  const { fallback, timeoutMs } = settings;
  const bounded = (call: StoreCall, run: () => Promise<unknown>): Promise<unknown> =>
    withStoreTimeout(Promise.resolve().then(run), timeoutMs, call.operation);
  const outage = createStoreOutage({
    probeIntervalMs: settings.probeIntervalMs,
    probe: (call) => bounded(call, () => probeStoreCall(store, call)),
    now: settings.now,
    onFallback: settings.onFallback,
    onRecover: settings.onRecover,
  });

  /**
   * Runs a call on the store, or, during an outage and when it fails, answers it with `whileDown`
   * (the fallback's answer, unless the call says otherwise).
   */
  async function call<T>(request: StoreCall, whileDown: () => Promise<unknown> = () => runStoreCall(fallback, request)): Promise<T> {
    if (outage.down) return (await whileDown()) as T;
    const startedIn = outage.epoch;
    let result: unknown;
    try {
      result = await bounded(request, () => runStoreCall(store, request));
    } catch (error) {
      outage.trip(startedIn, request, error);
      return (await whileDown()) as T;
    }
    mirrorStoreCall(fallback, request, result).catch(() => undefined);
    return result as T;
  }

  return {
    get usingFallback() {
      return outage.down;
    },
    reserve: (request) => call({ operation: "reserve", request }),
    extendCooldown: (key, durationMs) => call({ operation: "extendCooldown", key, durationMs }),
    cooldownRemaining: (key) => call({ operation: "cooldownRemaining", key }),
    readRate: (key) => call({ operation: "readRate", key }),
    adjustRate: (key, change) => call({ operation: "adjustRate", key, change }),
    refund: (request) => call({ operation: "refund", request }),
    settle: (request) => call({ operation: "settle", request }),
    // Never the fallback's count: it holds this process's grants only, and would read as the fleet's.
    countGrants: (request) =>
      store.countGrants === undefined ? Promise.resolve(undefined) : call({ operation: "countGrants", request }, () => Promise.resolve(undefined)),
    close: async () => outage.close(),
  };
}

/**
 * Whether a store needs the guard: the in-memory store cannot fail or hang.
 * @param store - The configured store.
 */
export function needsGuard(store: ThrottleStore): boolean {
  return !(store instanceof MemoryThrottleStore);
}
