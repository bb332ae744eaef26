import { aClock, positiveInteger, positiveNumber } from "../chain/optionRules.js";
import { monotonicNow } from "../chain/monotonicNow.js";
import { optionSchema, resolveOptions } from "../chain/resolveOptions.js";
import { setSafeInterval, type SafeTimer } from "../chain/safeTimer.js";
import { SlidingLog } from "./SlidingLog.js";
import type { BreakerAdmission, BreakerOutcome, BreakerPolicy, BreakerStore, BreakerTransition } from "./BreakerStore.js";
import { admitCircuit, closedCircuit, isIdleCircuit, recordCircuit, type CircuitRecord } from "./breakerState.js";
import { sameRate } from "./sameRate.js";
import type { CountRequest, RateChange, RefundRequest, ReserveRequest, ReserveResult, SettleRequest, ThrottleStore } from "./ThrottleStore.js";

/** Options of {@link MemoryThrottleStore}. */
export interface MemoryThrottleStoreOptions {
  /**
   * The clock, in milliseconds; only its differences matter. Inject one for tests (sinon fake
   * timers fake the default too). @default a monotonic clock (`performance.timeOrigin +
   * performance.now()`), which a wall-clock step (NTP) does not move
   */
  readonly now?: () => number;
  /**
   * A learned rate that nobody read or changed for this long is forgotten, in milliseconds.
   * @default 600000
   */
  readonly rateIdleMs?: number;
  /**
   * Keys held at most (windows, pacers, cooldowns and rates together). Beyond it, idle keys are
   * swept at once, then the least recently used learned rates are forgotten (they are learned
   * again); windows, pacers and cooldowns still in force are never dropped, since they hold
   * requests back.
   * @default 100000
   */
  readonly maxKeys?: number;
}

const MEMORY_STORE_OPTIONS = optionSchema<MemoryThrottleStoreOptions>()({
  name: "MemoryThrottleStore options",
  defaults: { now: monotonicNow, rateIdleMs: 600_000, maxKeys: 100_000 },
  rules: { now: aClock, rateIdleMs: positiveNumber, maxKeys: positiveInteger },
});

/** How often idle keys are swept (ms): on calls, and by an `unref()`'d timer while anything is held. */
const SWEEP_INTERVAL_MS = 5_000;

/**
 * The default {@link ThrottleStore}: exact sliding logs, a pacer, cooldowns and adaptive rates, held
 * in this process. Idle keys (windows with no grant left in them, passed pacers, expired cooldowns,
 * rates unused for `rateIdleMs`) are swept every few seconds, also without traffic, by a timer
 * that never keeps the process alive and stops when nothing is held; so memory follows the number
 * of active keys, bounded by `maxKeys`.
 *
 * Every method runs synchronously inside its promise, so calls are atomic with respect to each other.
 */
export class MemoryThrottleStore implements ThrottleStore, BreakerStore {
  private readonly now: () => number;
  private readonly rateIdleMs: number;
  private readonly maxKeys: number;
  private sweeper: SafeTimer | undefined;
  private readonly windows = new Map<string, SlidingLog>();
  /** Time from which the next paced grant is allowed, per pace key. */
  private readonly pacers = new Map<string, number>();
  /** Time at which each cooldown ends. */
  private readonly cooldowns = new Map<string, number>();
  private readonly rates = new Map<string, { rate: number; touchedAt: number }>();
  /** Circuit-breaker state, with the sampling window it was last used with (for the sweep). */
  private readonly circuits = new Map<string, { record: CircuitRecord; samplingMs: number | undefined }>();
  private lastSweep: number;

  /**
   * @param options - Clock and retention; all optional.
   * @throws InvalidOptionsError listing every invalid or unknown option.
   */
  constructor(options: MemoryThrottleStoreOptions = {}) {
    const settings = resolveOptions(MEMORY_STORE_OPTIONS, options);
    this.now = settings.now;
    this.rateIdleMs = settings.rateIdleMs;
    this.maxKeys = settings.maxKeys;
    this.lastSweep = this.now();
  }

  /** @inheritdoc */
  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    return this.tryReserve(request);
  }

  /**
   * {@link reserve} answered synchronously: the same decision and effect, without a promise. The
   * throttle handler's scheduler uses it to grant a request that nobody waits ahead of at once
   * (no store in this process can be slow or fail, so there is nothing to wait for).
   * @param request - The windows, pacer and cooldown that apply to this request.
   */
  tryReserve(request: ReserveRequest): ReserveResult {
    const now = this.tick();
    const cooldown = this.cooldownLeft(request.cooldownKey, now);
    if (cooldown > 0) return { granted: false, retryInMs: Math.max(1, Math.ceil(cooldown)), reason: "cooldown" };

    let wait = 0;
    let reason: "pace" | "budget" | undefined;
    if (request.pace !== undefined) {
      const nextAt = this.pacers.get(request.pace.key);
      if (nextAt !== undefined && nextAt > now) {
        wait = nextAt - now;
        reason = "pace";
      }
    }
    const logs = request.windows.map((spec) => this.log(spec.key, spec.limit, spec.windowMs));
    for (const log of logs) {
      const w = log.waitMs(now);
      // The longest refusal wins, so a retry after it can succeed.
      if (w > 0 && (w > wait || reason === undefined)) {
        wait = w;
        reason = "budget";
      }
    }
    if (reason !== undefined) {
      this.held();
      return { granted: false, retryInMs: Math.max(1, Math.ceil(wait)), reason };
    }

    for (const log of logs) log.add(now);
    if (request.pace !== undefined) this.pacers.set(request.pace.key, now + request.pace.intervalMs);
    this.held();
    // The grant time names the grant: equal times in one log are interchangeable.
    const first = logs[0];
    if (first === undefined) return { granted: true, ticket: String(now) };
    const usage = first.usage(now);
    return { granted: true, ticket: String(now), used: usage.count, oldestAgeMs: usage.oldestAgeMs };
  }

  /**
   * Moves the grant to now, less each window's `marginMs`, in each window: its response came.
   * @param request - The ticket and windows.
   */
  async settle(request: SettleRequest): Promise<void> {
    this.settleNow(request);
  }

  /**
   * {@link settle} done synchronously, without a promise: the throttle handler's scheduler settles
   * each answered grant so (as it reserves through {@link tryReserve}).
   * @param request - The ticket and windows.
   */
  settleNow(request: SettleRequest): void {
    const now = this.tick();
    const grantedAt = Number(request.ticket);
    if (!Number.isFinite(grantedAt)) return;
    for (const spec of request.windows) this.windows.get(spec.key)?.moveTo(grantedAt, now - (spec.marginMs ?? 0));
  }

  /**
   * Gives back the grant named by the ticket (else the newest grant) in each window.
   * @param request - The window keys.
   */
  async refund(request: RefundRequest): Promise<void> {
    this.tick();
    const grantedAt = request.ticket === undefined ? Number.NaN : Number(request.ticket);
    for (const key of request.windowKeys) {
      const log = this.windows.get(key);
      if (Number.isFinite(grantedAt)) log?.remove(grantedAt);
      else log?.removeNewest();
    }
  }

  /** @inheritdoc */
  async extendCooldown(key: string, durationMs: number): Promise<number> {
    const now = this.tick();
    const until = Math.max(this.cooldowns.get(key) ?? 0, now + Math.ceil(Math.max(0, durationMs)));
    if (until > now) this.cooldowns.set(key, until);
    this.held();
    return Math.max(0, until - now);
  }

  /** @inheritdoc */
  async countGrants(request: CountRequest): Promise<number | undefined> {
    const now = this.tick();
    if (this.cooldownLeft(request.cooldownKey, now) <= 0) return undefined;
    // A grant counts in (now - span, now], as in a window.
    return this.windows.get(request.windowKey)?.countSince(now - request.spanMs + 1e-6) ?? 0;
  }

  /** @inheritdoc */
  async cooldownRemaining(key: string): Promise<number> {
    return this.cooldownLeft(key, this.tick());
  }

  /** @inheritdoc */
  async readRate(key: string): Promise<number | undefined> {
    const now = this.tick();
    const entry = this.rates.get(key);
    if (entry === undefined) return undefined;
    entry.touchedAt = now;
    // Re-insert: the Map's front is then the least recently used rate.
    this.rates.delete(key);
    this.rates.set(key, entry);
    return entry.rate;
  }

  /** @inheritdoc */
  async adjustRate(key: string, change: RateChange): Promise<number> {
    const now = this.tick();
    const current = this.rates.get(key)?.rate ?? change.initial;
    if (change.onlyIf !== undefined && !sameRate(current, change.onlyIf)) return current;
    const raw = change.set ?? current * (change.multiply ?? 1) + (change.add ?? 0);
    const rate = Math.min(change.max, Math.max(change.min, raw));
    this.rates.delete(key);
    this.rates.set(key, { rate, touchedAt: now });
    this.held();
    return rate;
  }

  /** @inheritdoc */
  async admitBreaker(key: string, policy: BreakerPolicy): Promise<BreakerAdmission> {
    const now = this.tick();
    const entry = this.circuits.get(key);
    return entry === undefined ? { admitted: true, probe: false } : admitCircuit(entry.record, policy, now);
  }

  /** @inheritdoc */
  async recordBreaker(key: string, outcome: BreakerOutcome, probe: boolean, policy: BreakerPolicy): Promise<BreakerTransition> {
    const now = this.tick();
    let entry = this.circuits.get(key);
    if (entry === undefined) {
      if (outcome === "neutral" || (outcome === "success" && policy.failureRatio === undefined)) return { state: "closed", changed: false };
      entry = { record: closedCircuit(now), samplingMs: policy.samplingMs };
      this.circuits.set(key, entry);
      this.held();
    }
    entry.samplingMs = policy.samplingMs;
    return recordCircuit(entry.record, outcome, probe, policy, now);
  }

  /** Drops all state (and stops the sweep timer). */
  async close(): Promise<void> {
    this.sweeper?.clear();
    this.sweeper = undefined;
    this.windows.clear();
    this.pacers.clear();
    this.cooldowns.clear();
    this.rates.clear();
    this.circuits.clear();
  }

  /**
   * How many grants a window key holds within its window right now (for stats and tests), or 0.
   * @param key - The window key.
   */
  windowCount(key: string): number {
    return this.windows.get(key)?.count(this.now()) ?? 0;
  }

  /** How many keys (windows, pacers, cooldowns, rates, circuits) the store holds; idle ones are swept every few seconds. */
  get size(): number {
    return this.windows.size + this.pacers.size + this.cooldowns.size + this.rates.size + this.circuits.size;
  }

  /** Sweeps idle keys now (it also happens by itself every few seconds). */
  sweep(): void {
    const now = this.now();
    this.lastSweep = now;
    for (const [key, log] of this.windows) if (log.isIdle(now)) this.windows.delete(key);
    for (const [key, nextAt] of this.pacers) if (nextAt <= now) this.pacers.delete(key);
    for (const [key, until] of this.cooldowns) if (until <= now) this.cooldowns.delete(key);
    for (const [key, entry] of this.rates) if (entry.touchedAt + this.rateIdleMs <= now) this.rates.delete(key);
    for (const [key, entry] of this.circuits) if (isIdleCircuit(entry.record, now, entry.samplingMs)) this.circuits.delete(key);
    if (this.size === 0) {
      this.sweeper?.clear();
      this.sweeper = undefined;
    }
  }

  /** After a key was added: keeps the count within `maxKeys` and the sweep timer running. */
  private held(): void {
    if (this.size > this.maxKeys) {
      this.sweep();
      // Rates are the only keys that outlive what they hold back; the least recently used go first.
      for (const key of this.rates.keys()) {
        if (this.size <= this.maxKeys) break;
        this.rates.delete(key);
      }
    }
    if (this.sweeper === undefined && this.size > 0) this.armSweeper();
  }

  private armSweeper(): void {
    // Housekeeping must never keep a process alive.
    this.sweeper = setSafeInterval(() => this.sweep(), SWEEP_INTERVAL_MS, { unref: true });
  }

  private tick(): number {
    const now = this.now();
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) this.sweep();
    return now;
  }

  private cooldownLeft(key: string, now: number): number {
    const until = this.cooldowns.get(key);
    if (until === undefined) return 0;
    if (until <= now) {
      this.cooldowns.delete(key);
      return 0;
    }
    return until - now;
  }

  private log(key: string, limit: number, windowMs: number): SlidingLog {
    let log = this.windows.get(key);
    if (log === undefined) {
      log = new SlidingLog(limit, windowMs);
      this.windows.set(key, log);
    } else if (log.limit !== limit || log.windowMs !== windowMs) {
      log = log.resized(limit, windowMs);
      this.windows.set(key, log);
    }
    return log;
  }
}
