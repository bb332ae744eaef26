import { MemoryThrottleStore } from "./MemoryThrottleStore.js";
import type { ThrottleStore } from "./ThrottleStore.js";

/** A store method the handler calls. */
export type StoreOperation = "reserve" | "extendCooldown" | "cooldownRemaining" | "readRate" | "adjustRate" | "refund";

/** A store call failed or timed out; the call was answered by the local fallback instead. */
export interface StoreErrorEvent {
  /** The method that failed. */
  readonly operation: StoreOperation;
  /** What it threw (or a timeout `Error`). */
  readonly error: unknown;
}

/** Settings of {@link guardStore}. */
export interface GuardStoreSettings {
  /** Longest wait for one call, in milliseconds. */
  readonly timeoutMs: number;
  /** The clock of the fallback store. */
  readonly now: () => number;
  /** Told about each failed call. */
  readonly onError: (event: StoreErrorEvent) => void;
}

/**
 * Makes a store safe for the handler: a call that throws, rejects or takes longer than
 * `timeoutMs` is answered by a local {@link MemoryThrottleStore} instead, so a broken store never
 * loses or hangs a request; throttling then continues per process until the store answers again.
 * The in-memory store is returned as it is (it cannot fail).
 * @param store - The configured store.
 * @param settings - Timeout, clock and error listener.
 */
export function guardStore(store: ThrottleStore, settings: GuardStoreSettings): ThrottleStore {
  if (store instanceof MemoryThrottleStore) return store;
  const fallback = new MemoryThrottleStore({ now: settings.now });

  async function call<T>(operation: StoreOperation, viaStore: () => Promise<T>, viaFallback: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Throttle store ${operation} took longer than ${settings.timeoutMs} ms`)), settings.timeoutMs);
      });
      return await Promise.race([Promise.resolve().then(viaStore), timeout]);
    } catch (error) {
      try {
        settings.onError({ operation, error });
      } catch {
        // A listener's failure must not break throttling.
      }
      return viaFallback();
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    reserve: (request) => call("reserve", () => store.reserve(request), () => fallback.reserve(request)),
    extendCooldown: (key, durationMs) =>
      call("extendCooldown", () => store.extendCooldown(key, durationMs), () => fallback.extendCooldown(key, durationMs)),
    cooldownRemaining: (key) => call("cooldownRemaining", () => store.cooldownRemaining(key), () => fallback.cooldownRemaining(key)),
    readRate: (key) => call("readRate", () => store.readRate(key), () => fallback.readRate(key)),
    adjustRate: (key, change) => call("adjustRate", () => store.adjustRate(key, change), () => fallback.adjustRate(key, change)),
    refund: (request) => call("refund", () => store.refund?.(request) ?? Promise.resolve(), () => fallback.refund(request)),
  };
}
