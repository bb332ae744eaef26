import type { RateChange, RefundRequest, ReserveRequest, ReserveResult, ThrottleStore } from "../throttle/ThrottleStore.js";
import { redactRedisError } from "./redactRedisError.js";
import type { RedisFallbackEvent, RedisRecoverEvent, RedisStoreOperation } from "./RedisThrottleStoreOptions.js";
import { withTimeout } from "./withTimeout.js";

/** Settings of {@link createFailoverStore}, already defaulted. */
export interface FailoverSettings {
  /** The shared store (Redis). */
  readonly primary: ThrottleStore;
  /** The store used while the primary fails. */
  readonly fallback: ThrottleStore;
  /** Longest wait for one primary call, in milliseconds. */
  readonly timeoutMs: number;
  /** Delay between health probes during an outage, in milliseconds. */
  readonly probeIntervalMs: number;
  /** Checks the primary's health; resolves when it answers. */
  readonly probe: () => Promise<unknown>;
  /** Called once per outage. */
  readonly onFallback?: ((event: RedisFallbackEvent) => void) | undefined;
  /** Called when the primary is back. */
  readonly onRecover?: ((event: RedisRecoverEvent) => void) | undefined;
}

/** A store that switches between a primary and a fallback. */
export interface FailoverStore extends ThrottleStore {
  /** Whether calls currently go to the fallback. */
  readonly usingFallback: boolean;
  /** Gives grants back, in Redis or in the fallback. */
  refund(request: RefundRequest): Promise<void>;
  /** Stops the probe timer. */
  close(): Promise<void>;
}

/**
 * Wraps a primary store so that no call waits longer than `timeoutMs` or fails because of it:
 * on the first error or timeout the store emits `onFallback`, answers from the fallback, and
 * probes the primary every `probeIntervalMs` until it answers (`onRecover`). While the primary
 * works, what it grants is copied into the fallback, so a switch starts from warm state.
 * @param settings - The stores, timings and listeners.
 */
export function createFailoverStore(settings: FailoverSettings): FailoverStore {
  const { primary, fallback, timeoutMs, probeIntervalMs, probe, onFallback, onRecover } = settings;
  let down = false;
  let downSince = 0;
  // Counts switches, so a call started before a recovery cannot trip a new outage when it fails late.
  let epoch = 0;
  let closed = false;
  let probeTimer: ReturnType<typeof setTimeout> | undefined;

  const ignore = (): undefined => undefined;

  function trip(startedIn: number, operation: RedisStoreOperation, error: unknown): void {
    if (down || startedIn !== epoch) return;
    down = true;
    epoch += 1;
    downSince = Date.now();
    notify(() => onFallback?.({ error: redactRedisError(error), operation }));
    scheduleProbe();
  }

  function scheduleProbe(): void {
    if (closed || probeTimer !== undefined) return;
    probeTimer = setTimeout(runProbe, probeIntervalMs);
    // A store waiting for Redis must not keep the process alive.
    probeTimer.unref?.();
  }

  async function runProbe(): Promise<void> {
    try {
      await withTimeout(Promise.resolve().then(probe), timeoutMs, "probe");
    } catch {
      probeTimer = undefined;
      if (down) scheduleProbe();
      return;
    }
    probeTimer = undefined;
    if (closed || !down) return;
    down = false;
    epoch += 1;
    notify(() => onRecover?.({ outageMs: Date.now() - downSince }));
  }

  async function call<T>(
    operation: RedisStoreOperation,
    viaPrimary: () => Promise<T>,
    viaFallback: () => Promise<T>,
    mirror?: (result: T) => Promise<unknown>,
  ): Promise<T> {
    if (down) return viaFallback();
    const startedIn = epoch;
    let result: T;
    try {
      result = await withTimeout(viaPrimary(), timeoutMs, operation);
    } catch (error) {
      trip(startedIn, operation, error);
      return viaFallback();
    }
    if (mirror !== undefined) Promise.resolve(result).then(mirror).catch(ignore);
    return result;
  }

  return {
    get usingFallback() {
      return down;
    },

    reserve(request: ReserveRequest): Promise<ReserveResult> {
      return call(
        "reserve",
        () => primary.reserve(request),
        () => fallback.reserve(request),
        async (result) => (result.granted ? fallback.reserve(request) : undefined),
      );
    },

    extendCooldown(key: string, durationMs: number): Promise<number> {
      return call(
        "extendCooldown",
        () => primary.extendCooldown(key, durationMs),
        () => fallback.extendCooldown(key, durationMs),
        (remaining) => fallback.extendCooldown(key, remaining),
      );
    },

    refund(request: RefundRequest): Promise<void> {
      return call(
        "refund",
        () => primary.refund?.(request) ?? Promise.resolve(),
        () => fallback.refund?.(request) ?? Promise.resolve(),
        // Grants are mirrored into the fallback, so their refunds are too.
        () => fallback.refund?.(request) ?? Promise.resolve(),
      );
    },

    cooldownRemaining(key: string): Promise<number> {
      return call(
        "cooldownRemaining",
        () => primary.cooldownRemaining(key),
        () => fallback.cooldownRemaining(key),
      );
    },

    readRate(key: string): Promise<number | undefined> {
      return call(
        "readRate",
        () => primary.readRate(key),
        () => fallback.readRate(key),
      );
    },

    adjustRate(key: string, change: RateChange): Promise<number> {
      return call(
        "adjustRate",
        () => primary.adjustRate(key, change),
        () => fallback.adjustRate(key, change),
        (rate) => fallback.adjustRate(key, { initial: rate, set: rate, min: change.min, max: change.max }),
      );
    },

    async close(): Promise<void> {
      closed = true;
      clearTimeout(probeTimer);
      probeTimer = undefined;
    },
  };
}

/** A throwing listener must not break the store. */
function notify(emit: () => void): void {
  try {
    emit();
  } catch {
    // The listener's problem; throttling goes on.
  }
}
