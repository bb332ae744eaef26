import { redactError } from "../chain/redactSecrets.js";
import { boundSafeTimeout, type SafeTimer } from "../chain/safeTimer.js";
import type { StoreCall } from "./storeCall.js";
import type { StoreFallbackEvent, StoreRecoverEvent } from "./StoreEvents.js";

/** Settings of {@link createStoreOutage}. */
export interface StoreOutageSettings {
  /** Delay between recovery probes, in milliseconds. */
  readonly probeIntervalMs: number;
  /** Replays the call that started the outage on the shared store (bounded by the store timeout). */
  readonly probe: (call: StoreCall) => Promise<unknown>;
  /** The clock, in milliseconds. */
  readonly now: () => number;
  /** Told once per outage. */
  readonly onFallback: ((event: StoreFallbackEvent) => void) | undefined;
  /** Told when the store is back. */
  readonly onRecover: ((event: StoreRecoverEvent) => void) | undefined;
}

/** Whether the shared store is down, and the probing that ends an outage. */
export interface StoreOutage {
  /** Whether calls go to the fallback. */
  readonly down: boolean;
  /** Counts switches, so a call started before a recovery cannot trip a new outage when it fails late. */
  readonly epoch: number;
  /**
   * Starts an outage (once: later failures of the same outage are ignored) and probes until it ends.
   * @param startedIn - The epoch in which the failed call started.
   * @param call - The failed call; probes replay it.
   * @param error - What it threw.
   */
  trip(startedIn: number, call: StoreCall, error: unknown): void;
  /** Stops probing. */
  close(): void;
}

/**
 * Tracks outages of a shared store: the first failure switches to the fallback and emits
 * `onFallback`; a probe every `probeIntervalMs` replays the failed call, and its first success
 * switches back and emits `onRecover`.
 * @param settings - Probe, timing and listeners.
 */
export function createStoreOutage(settings: StoreOutageSettings): StoreOutage {
  let down = false;
  let downSince = 0;
  let epoch = 0;
  let closed = false;
  let failedCall: StoreCall | undefined;
  let probeTimer: SafeTimer | undefined;
  // Bound when the tracker is made: the probe loop re-arms itself for as long as the store is
  // down, and must not move onto a setTimeout installed later (a test's fake clock would then
  // hold its next probe for good).
  const setProbeTimer = boundSafeTimeout();

  function scheduleProbe(): void {
    if (closed || probeTimer !== undefined) return;
    // A store waiting for its backend must not keep the process alive.
    probeTimer = setProbeTimer(() => void runProbe(), settings.probeIntervalMs, { unref: true });
  }

  async function runProbe(): Promise<void> {
    let recovered = false;
    try {
      await settings.probe(failedCall as StoreCall);
      recovered = true;
    } catch {
      // Still down; the next probe follows.
    }
    probeTimer = undefined;
    if (closed || !down) return;
    if (!recovered) return scheduleProbe();
    down = false;
    epoch += 1;
    notify(() => settings.onRecover?.({ outageMs: settings.now() - downSince }));
  }

  return {
    get down() {
      return down;
    },
    get epoch() {
      return epoch;
    },
    trip(startedIn, call, error) {
      if (down || startedIn !== epoch) return;
      down = true;
      epoch += 1;
      downSince = settings.now();
      failedCall = call;
      notify(() => settings.onFallback?.({ operation: call.operation, error: redactError(error) }));
      scheduleProbe();
    },
    close() {
      closed = true;
      probeTimer?.clear();
      probeTimer = undefined;
    },
  };
}

/** A throwing listener must not break throttling. */
function notify(emit: () => void): void {
  try {
    emit();
  } catch {
    // The listener's problem; throttling goes on.
  }
}
