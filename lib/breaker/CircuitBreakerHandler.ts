import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { createListenerSet } from "../chain/listenerSet.js";
import { getRequestHeader } from "../chain/requestHeaders.js";
import { getRequestTrace } from "../chain/RequestTrace.js";
import { CircuitOpenError } from "../errors/CircuitOpenError.js";
import type { Disposable } from "../retry/retryEvents.js";
import type { BreakerAdmission, BreakerOutcome, BreakerStore } from "../throttle/BreakerStore.js";
import { ClaimsCache } from "../throttle/jwtClaims.js";
import { MemoryThrottleStore } from "../throttle/MemoryThrottleStore.js";
import { readRequestTarget } from "../throttle/readRequestTarget.js";
import { withStoreTimeout } from "../throttle/storeTimeout.js";
import { identityFromToken, identityKey, UNKNOWN_APP, type ThrottleIdentity } from "../throttle/throttleIdentity.js";
import { resolveBreakerOptions, type CircuitBreakerOptions, type CircuitBreakerSettings, type CircuitStateEvent, type CircuitStateListener } from "./CircuitBreakerOptions.js";
import { judgeBreakerOutcome } from "./judgeBreakerOutcome.js";

/** Prefix of circuit keys in the store, beside the throttle's keys. */
const STORE_PREFIX = "breaker:";

/**
 * A circuit breaker per `tenant/app@host` (the throttle's identity plus the host). After the
 * failure threshold (see {@link CircuitBreakerOptions}), requests fail at once with
 * `CircuitOpenError` and nothing is sent, for `breakMs`; then one probe goes out, and its answer
 * closes the circuit or opens it for another break. Failures are 5xx, 408, network failures and
 * attempt timeouts; a 429 never counts (it is throttling, not failure).
 *
 * Place it between the retry handler and the throttle (as `createGraphClient`'s `breaker` option
 * does): each attempt counts once, a refused attempt ends the retry loop at once (the error is not
 * retried), and a refused attempt takes no throttle slot. With the Redis store as `store`, every
 * process sharing it opens and closes together. When the store fails or is slower than
 * `storeTimeoutMs`, requests go through (a breaker must never be the outage).
 */
export class CircuitBreakerHandler implements Middleware {
  private nextMiddleware: Middleware | undefined;
  private readonly settings: CircuitBreakerSettings;
  private readonly store: BreakerStore;
  private readonly claims = new ClaimsCache();
  private readonly listeners = createListenerSet<CircuitStateEvent>();

  /**
   * @param options - Thresholds, break duration, store and listener.
   * @throws InvalidOptionsError - When an option is invalid or unknown.
   */
  constructor(options: CircuitBreakerOptions = {}) {
    this.settings = resolveBreakerOptions(options);
    this.store = this.settings.store ?? new MemoryThrottleStore();
  }

  /**
   * Listens to circuit state changes.
   * @param listener - Called with the key and new state (never a token).
   * @returns A disposable that removes the listener.
   */
  onStateChange(listener: CircuitStateListener): Disposable {
    return this.listeners.add(listener);
  }

  /**
   * Sets the next middleware in the chain.
   * @param next - The next middleware.
   */
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }

  /**
   * Refuses the request while its circuit is open; otherwise sends it and records how it ended.
   * @param context - The middleware context.
   * @throws CircuitOpenError - While the circuit is open (nothing is sent).
   */
  async execute(context: Context): Promise<void> {
    const next = this.nextMiddleware;
    if (next === undefined) throw new Error("CircuitBreakerHandler needs a next middleware (end the chain with HTTPMessageHandler)");
    const target = readRequestTarget(context);
    const key = `${identityKey(this.identity(context, target.host))}@${target.host}`;
    const admission = await this.admit(key);
    if (!admission.admitted) {
      const error = new CircuitOpenError(key, admission.retryInMs, { clientRequestId: getRequestHeader(context, "client-request-id") });
      const trace = getRequestTrace(context);
      if (trace !== undefined) trace.error = error;
      throw error;
    }
    let threw = false;
    let thrown: unknown;
    try {
      await next.execute(context);
    } catch (error) {
      threw = true;
      thrown = error;
      throw error;
    } finally {
      // Recording never delays the caller's answer.
      void this.record(key, judgeBreakerOutcome(context, threw, thrown), admission.probe);
    }
  }

  private async admit(key: string): Promise<BreakerAdmission> {
    try {
      const admission = await withStoreTimeout(this.store.admitBreaker(STORE_PREFIX + key, this.settings.policy), this.settings.storeTimeoutMs, "admitBreaker");
      if (admission.admitted && admission.probe) this.emit(key, "half-open");
      return admission;
    } catch {
      return { admitted: true, probe: false };
    }
  }

  private async record(key: string, outcome: BreakerOutcome, probe: boolean): Promise<void> {
    try {
      const change = await withStoreTimeout(
        this.store.recordBreaker(STORE_PREFIX + key, outcome, probe, this.settings.policy),
        this.settings.storeTimeoutMs,
        "recordBreaker",
      );
      if (change.changed) this.emit(key, change.state);
    } catch {
      // A store that fails only loses a count; the next outcomes count again.
    }
  }

  private emit(key: string, state: CircuitStateEvent["state"]): void {
    this.listeners.emit({ key, state }, this.settings.onStateChange);
  }

  private identity(context: Context, host: string): ThrottleIdentity {
    const custom = this.settings.key;
    if (custom === undefined) return identityFromToken(context, { host }, this.claims);
    const chosen = custom(context);
    return { tenant: String(chosen.tenant), app: chosen.app === undefined ? UNKNOWN_APP : String(chosen.app) };
  }
}
