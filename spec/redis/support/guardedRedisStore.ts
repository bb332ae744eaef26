import { guardStore, type GuardedStore } from "../../../lib/throttle/guardStore.js";
import { MemoryThrottleStore } from "../../../lib/throttle/MemoryThrottleStore.js";
import type { StoreFallbackEvent, StoreRecoverEvent } from "../../../lib/throttle/StoreEvents.js";
import type { ThrottleStore } from "../../../lib/throttle/ThrottleStore.js";

/** A store behind the handler's one failure layer, with the events it sent. */
export interface GuardedForTest {
  readonly store: GuardedStore;
  readonly fallbacks: StoreFallbackEvent[];
  readonly recoveries: StoreRecoverEvent[];
}

/**
 * Puts a store behind the same guard `ThrottleHandler` puts it behind, so a spec can call the store
 * directly and still see exactly what the handler would get.
 * @param store - The Redis store.
 * @param timing - The handler's `storeTimeoutMs` and `storeProbeIntervalMs`.
 */
export function guardedForTest(store: ThrottleStore, timing: { timeoutMs: number; probeIntervalMs: number }): GuardedForTest {
  const fallbacks: StoreFallbackEvent[] = [];
  const recoveries: StoreRecoverEvent[] = [];
  const guarded = guardStore(store, {
    ...timing,
    fallback: new MemoryThrottleStore(),
    now: () => performance.now(),
    onFallback: (event) => fallbacks.push(event),
    onRecover: (event) => recoveries.push(event),
  });
  return { store: guarded, fallbacks, recoveries };
}
