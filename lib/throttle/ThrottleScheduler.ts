import { clampTimerDelay, setSafeInterval, type SafeTimer } from "../chain/safeTimer.js";
import { ThrottleQueueFullError } from "../errors/ThrottleQueueFullError.js";
import { AdaptiveRate, type AdaptiveRateSettings } from "./AdaptiveRate.js";
import { BudgetShare } from "./BudgetShare.js";
import type { ResolvedBudget } from "./budgetMatching.js";
import { LocalWindow } from "./LocalWindow.js";
import { MemoryThrottleStore } from "./MemoryThrottleStore.js";
import type { ThrottleEvent, ThrottleKeyStats, ThrottleListener, ThrottleReason } from "./ThrottleEvents.js";
import type { GraphWorkload } from "./graphWorkload.js";
import type { ThrottleIdentity } from "./throttleIdentity.js";
import { identityKey } from "./throttleIdentity.js";
import type { RateLimitHint } from "./readRateLimitHeaders.js";
import type { RateChange, ReserveRequest, ReserveResult, SettleRequest, ThrottleStore, WindowSpec } from "./ThrottleStore.js";
import { WaitQueue, type WaitNode } from "./WaitQueue.js";

/** What the scheduler needs from the handler's settings. */
export interface SchedulerSettings {
  readonly store: ThrottleStore;
  readonly adaptive: AdaptiveRateSettings | false;
  readonly maxConcurrency: number;
  readonly maxQueue: number;
  readonly idleKeyMs: number;
  readonly maxKeys: number;
  readonly budgetBurst: number;
  readonly refundFailedAttempts: boolean;
  readonly cooldownStatuses: readonly number[];
  readonly defaultCooldownMs: number;
  readonly now: () => number;
}

/**
 * The longest cooldown held from one response, in ms. The cooldown keeps the server's whole ask
 * (not one clipped to what callers accept), so every process sharing the store sees that a
 * request cannot wait it out and fails it at once; the bound keeps a broken server's
 * `Retry-After: 99999999` from blocking a key for more than an hour.
 */
export const MAX_COOLDOWN_HOLD_MS = 3_600_000;

/** One granted request: when, and the store's name for it (to settle or refund that very grant). */
export interface Grant {
  /** The grant time, by the handler's clock. */
  readonly at: number;
  /** The store's ticket for the grant, when the store names grants. */
  readonly ticket: string | undefined;
  /** Requests of its adaptive class in flight when it was granted, itself included (no adaptive class: `undefined`). */
  readonly depth?: number;
}

/** What a response told, as the handler read it off HTTP. */
export interface ResponseObservation {
  /** The HTTP status. */
  readonly status: number;
  /** The server's `Retry-After`, in ms, when readable. */
  readonly retryAfterMs: number | undefined;
  /** Proactive rate-limit headers, when sent. */
  readonly hint: RateLimitHint | undefined;
}

/** What a proactive `RateLimit-Remaining` / `-Reset` left this key: grants until the reset. */
interface Quota {
  left: number;
  readonly until: number;
}

/** How often a cached adaptive rate is read back from the store (another process may change it). */
const RATE_SYNC_MS = 1000;

/**
 * Pacer gaps shorter than this are kept on average, not one by one: the grants may run up to
 * this far ahead of their schedule. Timers and the in-memory store's clock count whole ms, so a
 * sub-ms gap cannot be waited out; enforced one by one, it would refuse any request that follows
 * the last grant within the same clock tick and sleep it a whole ms (a sequential caller at a
 * high rate lost about one request in six that way).
 */
const PACE_CREDIT_MS = 1;

/** The route class an adaptive rate is learned for. */
export type RequestClass = "write" | "read";

/**
 * Judges a server-requested wait (a cooldown) for one request: the error to fail it with at once,
 * or `undefined` when the request accepts to wait that long.
 */
export type RefuseWait = (waitMs: number, statusCode: number) => unknown;

interface Waiter {
  readonly resolve: (grant: Grant) => void;
  readonly reject: (reason: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly refuse: RefuseWait | undefined;
  /** Requests of the lane's adaptive class its caller already holds (a `$batch` part's earlier ones): never waited on. */
  readonly held: number;
  onAbort: (() => void) | undefined;
}

/** One request to send ahead of the learned window (see `WindowSearch`): at which window, how long until it fits, and the answer time of the oldest request it goes ahead of. */
interface WindowProbe {
  readonly windowMs: number;
  readonly waitMs: number;
  readonly blockedBy: number;
}

/** The learned rate of one route class of a key. */
interface AdaptiveEntry {
  readonly requests: RequestClass;
  readonly rateKey: string;
  /** Where the learned window length lives (a number kept as a rate: the store keeps the shortest). */
  readonly shapeKey: string;
  /** Set when a process lowers the rate after a 429: the fleet's slow start is over. */
  readonly learnedKey: string;
  /** The learned window as the store sees it, rebuilt only when it changes (no allocation per request). */
  specs: readonly WindowSpec[];
  readonly paceKey: string;
  readonly windowKey: string;
  /** The learned window on this process's side (see {@link LocalWindow}). */
  readonly local: LocalWindow;
  controller: AdaptiveRate | undefined;
  syncedAt: number;
  /** Where a sub-ms pacer's schedule stands (see {@link PACE_CREDIT_MS}); kept here since a lane's schedule ends when its queue empties. */
  paceAt: number;
}

/**
 * One queue of a key: requests that need the same windows and pacer, served in FIFO order. A lane
 * stays in its key while idle (re-made per request it cost a sequential caller an allocation of
 * everything below); what it knew of its own pacer ends with its queue (see {@link ThrottleScheduler}).
 */
export interface Lane {
  readonly id: string;
  readonly state: KeyState;
  /** The budgets' store windows, each at this process's share of its limit (rebuilt when a share changes). */
  windows: readonly WindowSpec[];
  /** Some of {@link windows} carry a margin that an answer takes off (see `WindowSpec.marginMs`). */
  readonly hasMargin: boolean;
  /** Smoothing of a budget lane: grants at least this far apart, so a window's worth is not one burst. */
  budgetPace: { readonly key: string; readonly intervalMs: number } | undefined;
  readonly uses: readonly LocalWindow[];
  /** This process's share of each budget, beside {@link uses}. */
  readonly shares: readonly BudgetShare[];
  /** Whether grants are spread (`budgetBurst`); see {@link ThrottleScheduler.lane}. */
  readonly smoothed: boolean;
  readonly adaptive: AdaptiveEntry | undefined;
  readonly queue: WaitQueue<Waiter>;
  pumping: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Ends the current sleep or slot wait early. */
  wake: (() => void) | undefined;
  /** When the pacer frees after this lane's last grant, by this lane's own reckoning. */
  paceExpected: number | undefined;
  /** When the pacer was due, if the last refusal matched {@link paceExpected} (no one else paces this key). */
  paceDue: number | undefined;
}

/** Everything held for one key: a tenant and app, and the Graph workload (limited on its own) they call. */
export interface KeyState {
  readonly key: string;
  readonly tenant: string;
  readonly app: string;
  readonly workload: GraphWorkload;
  /** Requests in flight at most: `maxConcurrency`, or less where a preset knows the workload's limit. */
  readonly maxInFlight: number;
  /** How the key's own state is named in the store (`tenant:app`, then `:workload`): its cooldown and adaptive rates. */
  readonly storeName: string;
  readonly cooldownKey: string;
  readonly lanes: Map<string, Lane>;
  readonly slotWaiters: Lane[];
  readonly adaptive: Map<RequestClass, AdaptiveEntry>;
  readonly uses: Map<string, LocalWindow>;
  /** This process's share of each budget, by window key (see {@link BudgetShare}). */
  readonly shares: Map<string, BudgetShare>;
  inFlight: number;
  queued: number;
  sent: number;
  throttled: number;
  rejected: number;
  cooldownUntil: number | undefined;
  /** The status that started the cooldown (429 when another process's cooldown was found in the store). */
  cooldownStatus: number;
  lastActive: number;
  /** Faulted attempts give their slots back; off for good once a 429 followed a refund. */
  refunding: boolean;
  /** What the server's proactive headers left us until their reset, if they were sent. */
  quota: Quota | undefined;
}

/**
 * Queues, concurrency, store polling and everything learned for every key: the one owner of
 * per-key state. The handler only reads HTTP into {@link ResponseObservation}s and hands them to
 * {@link observe}; what changes is reported through the listeners. Each lane polls the store from
 * its head only: one pending store call or one timer per lane, however many requests wait behind it.
 *
 * Keys are held in least-recently-used order. Idle keys (nothing queued or in flight) are swept
 * by one `unref()`'d timer every `idleKeyMs / 2` while any key is held, and the least recently
 * used idle keys are evicted beyond `maxKeys`; a busy key is never dropped.
 */
export class ThrottleScheduler {
  private readonly keys = new Map<string, KeyState>();
  private readonly listeners = new Set<ThrottleListener>();
  private sweeper: SafeTimer | undefined;
  /** A 429 without a readable `Retry-After` was reported (once per scheduler). */
  private toldRetryAfterUnreadable = false;
  /** The most recently used key (last in {@link keys}): using it again needs no re-insert. */
  private newest: KeyState | undefined;
  /** The store's synchronous reserve, when it has one (the in-memory store): grants without a promise. */
  private readonly reserveNow: ((request: ReserveRequest) => ReserveResult) | undefined;
  /** Grants sent ahead of the learned window to narrow it (see `AdaptiveRate.windowProbeMs`), until answered. */
  private readonly windowProbes = new WeakSet<Grant>();
  /** How many of {@link windowProbes} are out: with none, an answer costs no lookup. */
  private windowProbesOut = 0;
  /** Grants of refused requests given back while a fleet learns from their burst (see `AdaptiveRate.refusalGivenBack`). */
  private readonly burstRefusals = new WeakSet<Grant>();
  /** Grants answered by a 429, until released: one that keeps its slot marks the learned window (see `LocalWindow.earlyWait`). */
  private readonly refusals = new WeakSet<Grant>();
  /** The store's synchronous settle, when it has one (the in-memory store): an answer settles without a promise. */
  private readonly settleNow: ((request: SettleRequest) => void) | undefined;

  /**
   * @param settings - Store, limits and clock.
   */
  constructor(private readonly settings: SchedulerSettings) {
    const store = settings.store;
    // Only the store's own reserve: a subclass or a patched instance that changes it is asked through it.
    const memory = store instanceof MemoryThrottleStore ? store : undefined;
    this.reserveNow = memory?.reserve === MemoryThrottleStore.prototype.reserve ? (request) => memory.tryReserve(request) : undefined;
    this.settleNow = memory?.settle === MemoryThrottleStore.prototype.settle ? (request) => memory.settleNow(request) : undefined;
  }

  /**
   * Adds an event listener.
   * @param listener - Called for each event.
   */
  addListener(listener: ThrottleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The state of a key, created on first use (evicting the least recently used idle key beyond
   * `maxKeys`), and marked as the most recently used.
   * @param identity - Tenant and app.
   * @param workload - The Graph workload (see `workloadOf`): each has its own cooldown, rates and in-flight count.
   * @param maxInFlight - The key's limit of requests in flight, when a preset sets one below `maxConcurrency` (taken when the key is made).
   */
  keyState(identity: ThrottleIdentity, workload: GraphWorkload = "", maxInFlight = this.settings.maxConcurrency): KeyState {
    const now = this.settings.now();
    const key = workload === "" ? identityKey(identity) : `${identityKey(identity)}/${workload}`;
    const newest = this.newest;
    if (newest !== undefined && newest.key === key) {
      newest.lastActive = now;
      return newest;
    }
    let state = this.keys.get(key);
    if (state !== undefined) {
      // Re-insert: a Map iterates in insertion order, so its front is the least recently used key.
      this.keys.delete(key);
    } else {
      if (this.keys.size >= this.settings.maxKeys) this.evictIdle(this.settings.maxKeys - 1);
      const storeName = `${identity.tenant}:${identity.app}${workload === "" ? "" : `:${workload}`}`;
      state = {
        key,
        tenant: identity.tenant,
        app: identity.app,
        workload,
        maxInFlight: Math.min(maxInFlight, this.settings.maxConcurrency),
        storeName,
        cooldownKey: `c:${storeName}`,
        lanes: new Map(),
        slotWaiters: [],
        adaptive: new Map(),
        uses: new Map(),
        shares: new Map(),
        inFlight: 0,
        queued: 0,
        sent: 0,
        throttled: 0,
        rejected: 0,
        cooldownUntil: undefined,
        cooldownStatus: 429,
        lastActive: now,
        refunding: this.settings.refundFailedAttempts,
        quota: undefined,
      };
      if (this.sweeper === undefined) this.armSweeper();
    }
    this.keys.set(key, state);
    this.newest = state;
    state.lastActive = now;
    return state;
  }

  /**
   * The lane for requests with these budgets (or, with none, this adaptive class), created on first use.
   * @param state - The key.
   * @param budgets - The budgets that apply.
   * @param requests - The request class, for adaptive pacing when no budget applies.
   * @param smoothed - Whether budget grants are spread (`budgetBurst`). A `$batch` reaches the
   *   server as one burst whatever the spacing of its grants, so spreading them only delays it;
   *   its lane (same windows, own queue) is not smoothed.
   */
  lane(state: KeyState, budgets: readonly ResolvedBudget[], requests: RequestClass, smoothed = true): Lane {
    const adaptive = budgets.length === 0 && this.settings.adaptive !== false;
    const baseId = budgets.length > 0 ? `b:${budgets.map((b) => b.name).join("\u0000")}` : adaptive ? `a:${requests}` : "n:";
    const id = smoothed || budgets.length === 0 ? baseId : `${baseId}\u0000unsmoothed`;
    const existing = state.lanes.get(id);
    if (existing !== undefined) return existing;
    // Each budget's window, local and in the store, at this process's share of its limit.
    const windows: (WindowSpec & { readonly marginMs: number })[] = [];
    const shares: BudgetShare[] = [];
    const uses: LocalWindow[] = [];
    for (const b of budgets) {
      const key = budgetWindowKey(state, b);
      let share = state.shares.get(key);
      if (share === undefined) {
        share = new BudgetShare(b.limit, b.nominalWindowMs);
        state.shares.set(key, share);
      } else {
        share.resize(b.limit, b.nominalWindowMs);
      }
      let use = state.uses.get(key);
      if (use === undefined) {
        use = new LocalWindow(b.name, share.share, b.nominalWindowMs);
        state.uses.set(key, use);
      } else {
        use.resize(share.share, b.nominalWindowMs);
      }
      shares.push(share);
      uses.push(use);
      windows.push({ key, limit: share.share, windowMs: b.windowMs, marginMs: b.windowMs - b.nominalWindowMs });
    }
    let entry: AdaptiveEntry | undefined;
    if (adaptive) {
      entry = state.adaptive.get(requests);
      if (entry === undefined) {
        const suffix = `${state.storeName}:${requests}`;
        entry = {
          requests,
          rateKey: `r:${suffix}`,
          shapeKey: `s:${suffix}`,
          learnedKey: `m:${suffix}`,
          specs: [],
          paceKey: `p:${suffix}`,
          windowKey: `a:${suffix}`,
          local: new LocalWindow(`adaptive-${requests}`, 1, 1000),
          controller: undefined,
          syncedAt: 0,
          paceAt: Number.NEGATIVE_INFINITY,
        };
        state.adaptive.set(requests, entry);
      }
    }
    const lane: Lane = {
      id,
      state,
      windows,
      hasMargin: windows.some((w) => w.marginMs > 0),
      budgetPace: undefined,
      uses,
      shares,
      smoothed,
      adaptive: entry,
      queue: new WaitQueue<Waiter>(),
      pumping: false,
      timer: undefined,
      wake: undefined,
      paceExpected: undefined,
      paceDue: undefined,
    };
    lane.budgetPace = this.budgetPace(lane);
    state.lanes.set(id, lane);
    return lane;
  }

  /**
   * Requests per window this process may take of a budget for a key now: its share (see
   * {@link BudgetShare}), the budget's limit until a 429 it did not predict.
   * @param state - The key.
   * @param budget - The budget.
   */
  budgetShare(state: KeyState, budget: ResolvedBudget): number {
    return state.shares.get(budgetWindowKey(state, budget))?.share ?? budget.limit;
  }

  /** A budget lane's smoothing at its shares: a window's worth over 1/`budgetBurst` of the window. */
  private budgetPace(lane: Lane): Lane["budgetPace"] {
    if (lane.uses.length === 0 || !lane.smoothed || !Number.isFinite(this.settings.budgetBurst)) return undefined;
    return {
      key: `p:${lane.state.tenant}:${lane.state.app}:${lane.id}`,
      intervalMs: Math.max(...lane.uses.map((use) => use.windowMs / (use.limit * this.settings.budgetBurst))),
    };
  }

  /**
   * A budget's share changed: its local window, and the store windows and smoothing of every lane
   * that spends it, take the new limit.
   */
  private reshare(state: KeyState, windowKey: string, limit: number): void {
    const use = state.uses.get(windowKey);
    use?.resize(limit, use.windowMs);
    for (const lane of state.lanes.values()) {
      if (!lane.windows.some((w) => w.key === windowKey)) continue;
      lane.windows = lane.windows.map((w) => (w.key === windowKey ? { ...w, limit } : w));
      lane.budgetPace = this.budgetPace(lane);
    }
  }

  /**
   * A budget lane's request was answered: each budget's share learns from it (see {@link BudgetShare}).
   * @returns Whether a share was cut.
   */
  private shareAnswer(lane: Lane, grant: Grant, refused: boolean): boolean {
    const now = this.settings.now();
    let cut = false;
    // A plain loop: every success of a budget lane (the Intune presets' path) comes here.
    for (let i = 0; i < lane.shares.length; i++) {
      const share = lane.shares[i] as BudgetShare;
      const use = lane.uses[i] as LocalWindow;
      if (!(refused ? share.refused(now, grant.at) : share.succeeded(now, use))) continue;
      cut ||= refused;
      this.reshare(lane.state, (lane.windows[i] as WindowSpec).key, share.share);
    }
    return cut;
  }

  /**
   * Waits for a slot in the lane: FIFO, abortable, bounded. Resolves to the grant (or returns it
   * at once, when nobody waits ahead and nothing holds the request back); the caller must call
   * {@link release} with it once the request is answered.
   * @param lane - The lane.
   * @param signal - The request's abort signal.
   * @param refuse - Judges a cooldown for this request: a wait it does not accept fails it at
   *   once (now, or as soon as such a cooldown starts while it is queued), and nothing is sent.
   * @param heldWith - The lanes of grants the caller holds until this request's answer too (the
   *   earlier requests of a `$batch` part): those of the same adaptive class never count against
   *   its in-flight cap, which may fall below what the part holds while its grants are taken
   *   (slow start's cap falls to this process's share of a shared store as the grants tell it).
   */
  acquire(lane: Lane, signal: AbortSignal | undefined, refuse?: RefuseWait, heldWith: readonly Lane[] = []): Grant | Promise<Grant> {
    const state = lane.state;
    const refusal = this.refusal(state, signal, refuse);
    if (refusal !== undefined) {
      if (lane.queue.size === 0 && !lane.pumping) endLane(lane);
      return Promise.reject(refusal);
    }
    const adaptive = lane.adaptive;
    let held = 0;
    if (adaptive !== undefined) for (const other of heldWith) if (other.adaptive === adaptive) held += 1;
    return this.grantNow(lane, signal, refuse) ?? this.enqueue(lane, signal, refuse, undefined, held);
  }

  /** Queues a request in the lane and starts its pump (after `preparing`, a store call already under way). */
  private enqueue(lane: Lane, signal: AbortSignal | undefined, refuse: RefuseWait | undefined, preparing: Promise<void> | undefined, held = 0): Promise<Grant> {
    const state = lane.state;
    return new Promise<Grant>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, refuse, held, onAbort: undefined };
      const node = lane.queue.push(waiter);
      state.queued += 1;
      if (signal !== undefined) {
        waiter.onAbort = () => this.abort(lane, node, signal);
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      if (!lane.pumping) void this.pump(lane, preparing);
    });
  }

  /**
   * The fast path of {@link acquire}: the grant of a request that nobody waits ahead of, decided
   * at once when every check passes without waiting and the store answers synchronously; else
   * `undefined` and the request queues. The same checks as the pump's, in the same order, and it
   * stops before any of them would wait or tell: the pump then checks again and does that itself.
   *
   * Only while nothing of the key is in flight (a sequential caller): then no answer can be
   * waiting to be learned. With requests in flight, the pump's turn lets an answer that came in
   * meanwhile (a 429's cooldown, a lower rate) be learned before the next grant, as it always did.
   */
  private grantNow(lane: Lane, signal: AbortSignal | undefined, refuse: RefuseWait | undefined): Grant | Promise<Grant> | undefined {
    const reserveNow = this.reserveNow;
    const state = lane.state;
    if (reserveNow === undefined || lane.pumping || lane.queue.size > 0 || state.inFlight > 0) return undefined;
    const entry = lane.adaptive;
    if (entry !== undefined) {
      const cap = entry.controller?.inFlightCap;
      if (cap !== undefined && entry.local.inFlight >= cap) return undefined;
      const preparing = this.prepareAdaptive(entry);
      // A rate to read or change in the store: the pump waits for it (and must not start another).
      if (preparing !== undefined) return this.enqueue(lane, signal, refuse, preparing);
    }
    if (this.settledWait(lane) > 0 || this.quotaWait(state, this.settings.now()) > 0) return undefined;
    state.inFlight += 1;
    const result = this.reserve(lane);
    // The store answered synchronously (reserveNow is set).
    if (result instanceof Promise || !result.granted) {
      // Nothing changed in the store: the pump asks again, and waits and tells as it always does.
      state.inFlight -= 1;
      return undefined;
    }
    const grant = this.granted(lane, result.ticket, result.used, result.oldestAgeMs);
    // As a pump that granted its last waiter: the lane's queue is empty again.
    endLane(lane);
    return grant;
  }

  /** Why a request is refused before it queues, or `undefined` to queue it. */
  private refusal(state: KeyState, signal: AbortSignal | undefined, refuse: RefuseWait | undefined): unknown {
    if (signal?.aborted === true) return signal.reason as unknown;
    if (state.queued >= this.settings.maxQueue) {
      state.rejected += 1;
      this.emit(state, "queue-full", 0);
      return new ThrottleQueueFullError(state.key, this.settings.maxQueue);
    }
    const cooldownMs = state.cooldownUntil === undefined ? 0 : state.cooldownUntil - this.settings.now();
    const tooLong = cooldownMs > 0 ? refuse?.(cooldownMs, state.cooldownStatus) : undefined;
    if (tooLong !== undefined) state.rejected += 1;
    return tooLong;
  }

  /**
   * How long until `count` more grants fit in the lane's budget windows at once, by this process's
   * reckoning (`Infinity` while requests in flight fill them). A `$batch` waits this out before it
   * takes its grants, so it never holds some of them idle while the window slides.
   * @param lane - The lane.
   * @param count - Grants needed together.
   */
  roomWaitMs(lane: Lane, count: number): number {
    const now = this.settings.now();
    let wait = 0;
    // The store frees an answered grant one nominal window after its answer, as the local window
    // does (a budget's margin only covers grants not answered yet): the two agree on room.
    for (const use of lane.uses) wait = Math.max(wait, use.waitForMs(now, count));
    return wait === Number.POSITIVE_INFINITY ? wait : Math.ceil(wait);
  }

  /**
   * Forgets a lane that nobody waits in (one looked up for {@link roomWaitMs} and then left unused).
   * @param lane - The lane.
   */
  dropIdleLane(lane: Lane): void {
    if (lane.queue.size === 0 && !lane.pumping) endLane(lane);
  }

  /**
   * A throttled response started or extended the key's shared cooldown: records it, fails at once
   * the queued requests that will not wait that long, and tells the listeners.
   * @param state - The key.
   * @param remainingMs - How long the cooldown lasts from now (as the store answered).
   * @param statusCode - The status that asked for it (429 or 503).
   */
  coolDown(state: KeyState, remainingMs: number, statusCode: number): void {
    state.cooldownStatus = statusCode;
    this.noteCooldown(state, remainingMs);
    this.emit(state, "cooldown", remainingMs);
  }

  private noteCooldown(state: KeyState, remainingMs: number): void {
    const now = this.settings.now();
    state.cooldownUntil = Math.max(state.cooldownUntil ?? 0, now + remainingMs);
    const waitMs = state.cooldownUntil - now;
    for (const lane of state.lanes.values()) {
      const errors: unknown[] = [];
      const refused = lane.queue.removeWhere((waiter) => {
        const error = waiter.refuse?.(waitMs, state.cooldownStatus);
        if (error !== undefined) errors.push(error);
        return error !== undefined;
      });
      refused.forEach((waiter, i) => {
        state.queued -= 1;
        state.rejected += 1;
        if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener("abort", waiter.onAbort);
        waiter.reject(errors[i]);
      });
      // Nobody is left to wait for: end the head's sleep now, so nothing stays scheduled.
      if (refused.length > 0 && lane.queue.size === 0) lane.wake?.();
    }
  }

  /**
   * Frees the in-flight slot of an answered (or failed) request. Its slot in every window stays
   * taken until one window after now (the response), locally and in the store: the server counted
   * the request at some moment before now, so the slot can never free early, whatever the delay.
   * @param lane - The lane it was granted in.
   * @param grant - The grant {@link acquire} resolved to.
   * @param refund - The attempt may never have reached the service that counts it (502/503/504 or
   *   no response): give its grant back instead of counting it, locally and in the store, unless
   *   a 429 already showed that this key's server counts such attempts.
   */
  release(lane: Lane, grant: Grant, refund = false): void {
    const now = this.settings.now();
    const state = lane.state;
    const refunded = refund && state.refunding;
    state.lastActive = now;
    // An answer is a use: move the key to the most recent end of the LRU order.
    if (state !== this.newest && this.keys.delete(state.key)) {
      this.keys.set(state.key, state);
      this.newest = state;
    }
    // A refused request of a burst that taught the limit goes back unchecked: the 429s that follow
    // it belong to that burst, and say nothing about whether the server counts what was given back.
    const checked = !this.burstRefusals.has(grant);
    // A window probe that got no answer to learn from (a fault, or none at all) says nothing.
    if (this.tookWindowProbe(grant)) lane.adaptive?.controller?.windowProbeAnswered(now, undefined);
    for (const use of lane.uses) {
      if (refunded) use.cancel(now, checked);
      else use.settle(now);
    }
    const adaptive = lane.adaptive;
    if (refunded) adaptive?.local.cancel(now, checked);
    else adaptive?.local.settle(now, this.refusals.delete(grant));
    this.releaseSlot(state);
    // The last answer of a full window: a head asleep until the window slides may send a window
    // probe earlier (see windowProbe), which it could not while requests were in flight.
    if (adaptive !== undefined && adaptive.local.inFlight === 0 && adaptive.controller?.searching === true) lane.wake?.();
    if (refunded) void this.refundGrant(lane, grant);
    // An answer in the grant's own ms moves nothing, unless a budget's margin is to come off.
    else if (grant.ticket !== undefined && (now > grant.at || lane.hasMargin)) this.settleGrant(lane, grant.ticket);
  }

  /** The store windows a lane's grants are taken in. */
  private storeWindows(lane: Lane): readonly WindowSpec[] {
    const entry = lane.adaptive;
    return entry?.controller === undefined ? lane.windows : entry.specs;
  }

  /** Settles a grant in the store: at once with the in-memory store, else through its promise. */
  private settleGrant(lane: Lane, ticket: string): void {
    const windows = this.storeWindows(lane);
    const store = this.settings.store;
    if (windows.length === 0 || store.settle === undefined) return;
    // A settle that fails leaves the slot to free one window after the grant; the local window still holds it.
    try {
      if (this.settleNow !== undefined) this.settleNow({ ticket, windows });
      else store.settle({ ticket, windows }).catch(() => undefined);
    } catch {
      // As above: a store that throws instead of rejecting.
    }
  }

  private async refundGrant(lane: Lane, grant: Grant): Promise<void> {
    const windowKeys = this.storeWindows(lane).map((w) => w.key);
    if (windowKeys.length === 0) return;
    try {
      await this.settings.store.refund?.(grant.ticket === undefined ? { windowKeys } : { windowKeys, ticket: grant.ticket });
    } catch {
      // A refund that did not happen only leaves us more careful than needed.
    }
    // The budget may have room now: wake a head that sleeps on it.
    lane.wake?.();
  }

  /**
   * A plain answer (not throttled, no rate-limit header): a success confirms the learned rate.
   * Synchronous, so the common case costs no promise.
   * @param lane - The lane the request was granted in.
   * @param grant - Its grant.
   * @param status - The HTTP status.
   */
  confirmed(lane: Lane, grant: Grant, status: number): void {
    if (this.tookWindowProbe(grant)) {
      lane.adaptive?.controller?.windowProbeAnswered(this.settings.now(), status);
      // The window may have shrunk, or the next probe may go sooner: the head checks again now.
      lane.wake?.();
    }
    // A probe step that proved itself: the next one may go now (see AdaptiveRate.succeeded).
    if (status < 500 && lane.adaptive?.controller?.succeeded(this.settings.now(), grant.at, grant.depth) === true) lane.wake?.();
    if (status < 500 && lane.shares.length > 0) this.shareAnswer(lane, grant, false);
  }

  /**
   * Learns from a response: starts or extends the shared cooldown, counts a 429, checks refunds
   * against it, adapts the learned rate, and heeds the proactive rate-limit headers. Call it
   * before {@link release}, so a request woken by the release already meets what was learned.
   * @param lane - The lane the request was granted in.
   * @param grant - Its grant.
   * @param response - What the response told.
   * @returns Whether the answer was the 429 of a request of a probe step (granted before the step
   *   failed): the step overshot, the server refused the request (a server that counts refused
   *   requests turns refunds off, see `checkRefunds`), and its slot may be given back, so the
   *   window keeps the limit's full count of successes.
   */
  async observe(lane: Lane, grant: Grant, response: ResponseObservation): Promise<boolean> {
    const state = lane.state;
    const status = response.status;
    const now = this.settings.now();
    const entry = lane.adaptive;
    if (status === 429 && entry !== undefined) this.refusals.add(grant);
    const controller = entry?.controller;
    if (response.hint !== undefined) await this.heed(lane, grant, response.hint, now);
    // A window probe's 429 only says the window is longer than it tried: no cooldown, no decrease,
    // and its slot goes back (a refund like any other: a server that counts refused requests shows
    // it by a 429 within a window, and refunds stop).
    if (status === 429 && this.tookWindowProbe(grant)) {
      controller?.windowProbeAnswered(now, status);
      state.throttled += 1;
      lane.wake?.();
      return true;
    }
    const coolsDown = this.settings.cooldownStatuses.includes(status);
    if (status !== 429 && !coolsDown) {
      this.confirmed(lane, grant, status);
      return false;
    }
    const retryAfterMs = response.retryAfterMs;
    if (status === 429 && retryAfterMs === undefined && !this.toldRetryAfterUnreadable) {
      // Browsers hide Retry-After unless the server exposes it (Graph does not): say so once.
      this.toldRetryAfterUnreadable = true;
      this.emit(state, "retry-after-unreadable", this.settings.defaultCooldownMs);
    }
    // A probe step above a rate that lasted a whole window overshot by a request or two: the rate
    // falls back (below), and nothing else has to stop. A key-wide cooldown here would idle the
    // whole budget for the 429's Retry-After (a whole second, rounded up, for a wait of a few ms).
    const failedProbe = status === 429 && controller?.claimProbeOvershoot(grant.at) === true;
    // Read before `throttledAt` marks the step failed: its own requests' slots go back, later ones' do not.
    // Sharing a store, so is a refused request's of the burst that teaches the limit: the fleet then
    // counts what the server admitted (see AdaptiveRate.refusalGivenBack).
    const givenBack = status === 429 && controller?.refusalGivenBack(grant.at) === true;
    if (givenBack) this.burstRefusals.add(grant);
    // A request that asked whether the window freed, refused: it only says not yet (see AdaptiveRate.refusedAsking).
    const asking = status === 429 && controller?.refusedAsking(grant.at) === true;
    const refundSlot = (failedProbe && controller?.probeSlotRefundable(grant.at) === true) || givenBack || asking;
    // A refusal by requests in flight, not by rate: the requests in flight still end, and nothing
    // about the rate was learned (see AdaptiveRate.concurrencyRefusal).
    if (status === 429 && controller?.concurrencyRefusal(now, grant.at, grant.depth, response.retryAfterMs) === true) {
      state.throttled += 1;
      return givenBack;
    }
    const askedMs = coolsDown && !failedProbe ? Math.min(MAX_COOLDOWN_HOLD_MS, retryAfterMs ?? (status === 429 ? this.settings.defaultCooldownMs : 0)) : 0;
    // Less where the server's window surely freed sooner than a whole-second Retry-After says (see AdaptiveRate.cooldownFor).
    const cooldownMs = status === 429 && askedMs > 0 && controller !== undefined ? controller.cooldownFor(now, grant.at, retryAfterMs, askedMs) : askedMs;
    if (cooldownMs > 0) this.coolDown(state, await this.settings.store.extendCooldown(state.cooldownKey, cooldownMs), status);
    if (status !== 429) return false;
    state.throttled += 1;
    // A 429 that the budget did not predict: something else spends it too, and our share falls.
    if (lane.shares.length > 0 && this.shareAnswer(lane, grant, true)) this.emit(state, "budget-share", 0);
    // What learning explains (slow start's overshoot, its burst's, a probe step's) would have come
    // without any refund: it says nothing about them. A server that counts what was given back
    // shows it by a 429 at the learned level, within a window.
    // So does a 429 that shows the learned window too short (the server still held the window's
    // admitted requests): read after `throttledAt`, which tells.
    const explained = failedProbe || asking || controller?.learningOvershoot(grant.at) === true;
    const change = controller?.throttledAt(now, grant.at, retryAfterMs, cooldownMs);
    if (!explained && controller?.lengthenedWindowAt(now) !== true) this.checkRefunds(lane, now, retryAfterMs ?? 0);
    const refunded = refundSlot || controller?.refusedAtShortWindow(now, grant.at) === true;
    if (entry === undefined || controller === undefined || change === undefined) return refunded;
    const windowChange = controller.takeWindowChange();
    if (windowChange !== undefined) await this.storeWindow(entry, controller, windowChange);
    await this.applyDecrease(entry, controller, change);
    const fleetCount = controller.takeFleetCount();
    if (fleetCount !== undefined) this.countFleetBurst(state, entry, controller, fleetCount);
    return refunded;
  }

  /**
   * Counts a fleet's anchored burst in the store once its answers are in, and hands the count to
   * the controller (see `AdaptiveRate.takeFleetCount`). Only while refunds are on: the count is
   * what the server admitted only once every refused grant was given back.
   */
  private countFleetBurst(state: KeyState, entry: AdaptiveEntry, controller: AdaptiveRate, count: { readonly delayMs: number; readonly since: number }): void {
    const store = this.settings.store;
    if (store.countGrants === undefined || !state.refunding) {
      controller.fleetCounted(undefined);
      return;
    }
    const countGrants = store.countGrants.bind(store);
    const read = async (): Promise<void> => {
      const spanMs = this.settings.now() - count.since;
      try {
        const [granted, windowMs] = await Promise.all([countGrants({ windowKey: entry.windowKey, spanMs, cooldownKey: state.cooldownKey }), store.readRate(entry.shapeKey)]);
        // The fleet's window (the shortest learned): the rate set from the count gives that count in it.
        if (windowMs !== undefined) controller.synced(undefined, windowMs);
        controller.fleetCounted(state.refunding ? granted : undefined);
      } catch {
        controller.fleetCounted(undefined);
      }
    };
    const timer = setTimeout(() => void read(), count.delayMs);
    // Never what keeps a process alive.
    (timer as { unref?: () => void }).unref?.();
  }

  /**
   * A 429 while a refunded grant is still within a window (or within this 429's Retry-After) of
   * now: the server may have counted the attempts we gave back, so this key stops refunding.
   */
  private checkRefunds(lane: Lane, now: number, retryAfterMs: number): void {
    const state = lane.state;
    if (!state.refunding) return;
    let refundedRecently = lane.adaptive?.local.refundedWithin(now, retryAfterMs) === true;
    for (const use of lane.uses) refundedRecently ||= use.refundedWithin(now, retryAfterMs);
    if (!refundedRecently) return;
    state.refunding = false;
    this.emit(state, "refunds-off", 0);
  }

  /** Proactive headers of a response: a quota until their reset, and the used share for the learned rate. */
  private async heed(lane: Lane, grant: Grant, hint: RateLimitHint, now: number): Promise<void> {
    const state = lane.state;
    if (hint.remaining !== undefined && hint.resetMs !== undefined) {
      // Requests still in flight (other than this one) reach the server after it counted this one.
      state.quota = { left: hint.remaining - Math.max(0, state.inFlight - 1), until: now + hint.resetMs };
    }
    const entry = lane.adaptive;
    const controller = entry?.controller;
    if (hint.usedRatio === undefined || entry === undefined || controller === undefined) return;
    const change = controller.nearLimit(now, grant.at, hint.usedRatio);
    if (change !== undefined) await this.applyDecrease(entry, controller, change);
  }

  /** Applies a decrease, and marks in the store that a limit was learned (other processes end their slow start). */
  private async applyDecrease(entry: AdaptiveEntry, controller: AdaptiveRate, change: RateChange): Promise<void> {
    const store = this.settings.store;
    const [rate] = await Promise.all([store.adjustRate(entry.rateKey, change), store.adjustRate(entry.learnedKey, { initial: 1, set: 1, min: 1, max: 1 })]);
    controller.changed(rate, this.settings.now());
  }

  /** How long the proactive quota holds the key back (0 when it has room, ran out of time, or none was sent). */
  private quotaWait(state: KeyState, now: number): number {
    const quota = state.quota;
    if (quota === undefined) return 0;
    if (now >= quota.until) {
      state.quota = undefined;
      return 0;
    }
    return quota.left > 0 ? 0 : Math.ceil(quota.until - now);
  }

  /**
   * Emits an event for a key.
   * @param state - The key.
   * @param reason - Why requests wait.
   * @param waitMs - How long.
   */
  emit(state: KeyState, reason: ThrottleReason, waitMs: number): void {
    if (this.listeners.size === 0) return;
    const event: ThrottleEvent = { key: state.key, tenant: state.tenant, app: state.app, workload: state.workload, reason, waitMs, queued: state.queued };
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A listener's failure must not break throttling.
      }
    }
  }

  /** A snapshot of every known key. */
  stats(): ThrottleKeyStats[] {
    const now = this.settings.now();
    return [...this.keys.values()].map((s) => ({
      key: s.key,
      tenant: s.tenant,
      app: s.app,
      workload: s.workload,
      queued: s.queued,
      inFlight: s.inFlight,
      sent: s.sent,
      throttled: s.throttled,
      rejected: s.rejected,
      cooldownUntil: s.cooldownUntil !== undefined && s.cooldownUntil > now ? s.cooldownUntil : undefined,
      refunding: s.refunding,
      rates: [...s.adaptive.values()]
        .filter((e) => e.controller !== undefined)
        .map((e) => {
          const c = e.controller as AdaptiveRate;
          return { requests: e.requests, rate: c.rate, phase: c.phase, ceiling: c.ceiling, decreases: c.decreases, windowMs: c.windowMs, concurrencyLimit: c.concurrencyLimit };
        }),
      budgets: [...s.uses].map(([windowKey, u]) => ({ name: u.name, used: u.used(now), limit: s.shares.get(windowKey)?.limit ?? u.limit, share: u.limit, windowMs: u.windowMs })),
    }));
  }

  /** Number of keys held (idle ones are dropped after `idleKeyMs`). */
  get size(): number {
    return this.keys.size;
  }

  private abort(lane: Lane, node: WaitNode<Waiter>, signal: AbortSignal): void {
    if (!node.linked) return;
    lane.queue.remove(node);
    lane.state.queued -= 1;
    node.value.reject(signal.reason);
    // The last waiter left: stop the head's timer now, so nothing stays scheduled.
    if (lane.queue.size === 0) lane.wake?.();
  }

  private async pump(lane: Lane, preparing?: Promise<void>): Promise<void> {
    lane.pumping = true;
    const state = lane.state;
    // A window probe ahead of the shared store's window, found at its last refusal (see fleetWindowProbe).
    let storeProbe: WindowProbe | undefined;
    try {
      if (preparing !== undefined) await preparing;
      while (lane.queue.size > 0) {
        if (state.inFlight >= state.maxInFlight) {
          this.emit(state, "concurrency", 0);
          await this.waitForSlot(lane);
          continue;
        }
        const cap = lane.adaptive?.controller?.inFlightCap;
        if (cap !== undefined && lane.adaptive !== undefined && lane.adaptive.local.inFlight - (lane.queue.peek()?.held ?? 0) >= cap) {
          this.emit(state, "concurrency", 0);
          await this.waitForSlot(lane);
          continue;
        }
        // Awaited even when done at once: between two grants of a queue, answers already in (a 429's
        // cooldown, a lower rate) are learned first, as they always were.
        if (lane.adaptive !== undefined) await this.prepareAdaptive(lane.adaptive);
        const localWait = this.settledWait(lane);
        if (localWait > 0) lane.adaptive?.controller?.limited();
        if (localWait === Number.POSITIVE_INFINITY) {
          // The budget is taken by requests still in flight: the next answer frees a place.
          this.emit(state, "budget", 0);
          await this.waitForSlot(lane);
          continue;
        }
        // One request may go ahead of a learned window known only from above (see WindowSearch).
        const probe = localWait > 0 ? this.windowProbe(lane, localWait) : storeProbe;
        storeProbe = undefined;
        if (localWait > 0 && (probe === undefined || probe.waitMs > 0)) {
          this.emit(state, "budget", localWait);
          await this.sleep(lane, Math.min(localWait, probe?.waitMs ?? localWait));
          continue;
        }
        const quotaWait = this.quotaWait(state, this.settings.now());
        if (quotaWait > 0) {
          this.emit(state, "quota", quotaWait);
          await this.sleep(lane, quotaWait);
          continue;
        }
        // Hold the slot while the store decides, so two lanes of a key cannot overshoot it.
        state.inFlight += 1;
        const askedAt = this.settings.now();
        const result = await this.reserve(lane, probe?.windowMs);
        if (result.granted) {
          const waiter = lane.queue.shift();
          if (waiter === undefined) {
            this.releaseSlot(state);
            break;
          }
          state.queued -= 1;
          const grant = this.granted(lane, result.ticket, result.used, result.oldestAgeMs);
          if (probe !== undefined) {
            this.windowProbes.add(grant);
            this.windowProbesOut += 1;
            lane.adaptive?.controller?.windowProbeSent(grant.at, probe.blockedBy);
          }
          if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener("abort", waiter.onAbort);
          waiter.resolve(grant);
          continue;
        }
        this.releaseSlot(state);
        if (result.reason !== "cooldown") lane.adaptive?.controller?.limited();
        // A cooldown may come from another process through the store: judge the waiters by it too.
        if (result.reason === "cooldown") this.noteCooldown(state, result.retryInMs);
        this.emit(state, result.reason, result.retryInMs);
        if (result.reason === "budget" && probe === undefined) storeProbe = this.fleetWindowProbe(lane, askedAt, result.retryInMs);
        if (lane.queue.size > 0) await this.sleep(lane, Math.min(result.retryInMs, storeProbe?.waitMs ?? result.retryInMs));
      }
    } catch (error) {
      // Nothing above should throw (the store is guarded); if it does, fail the waiters instead of hanging them.
      for (let waiter = lane.queue.shift(); waiter !== undefined; waiter = lane.queue.shift()) {
        state.queued -= 1;
        if (waiter.onAbort !== undefined) waiter.signal?.removeEventListener("abort", waiter.onAbort);
        waiter.reject(error);
      }
    } finally {
      lane.pumping = false;
      lane.wake = undefined;
      if (lane.queue.size === 0) endLane(lane);
      else void this.pump(lane);
    }
  }

  /** Counts a grant the store just gave the lane's head (the slot is already held) and names it. */
  private granted(lane: Lane, ticket: string | undefined, used: number | undefined, oldestAgeMs: number | undefined): Grant {
    const state = lane.state;
    const now = this.settings.now();
    state.sent += 1;
    for (const use of lane.uses) use.granted();
    const adaptive = lane.adaptive;
    if (state.quota !== undefined) state.quota.left -= 1;
    if (adaptive === undefined) return { at: now, ticket };
    const depth = adaptive.local.inFlight + 1;
    if (used !== undefined) adaptive.controller?.sharedUse(adaptive.local.used(now) + 1, used);
    adaptive.controller?.granted(now, depth - 1, oldestAgeMs);
    // Nobody waits behind this one: demand ran out (the sustained rate counts only while requests wait).
    if (lane.queue.size === 0) adaptive.controller?.drained(now);
    adaptive.local.granted();
    return { at: now, ticket, depth };
  }

  /**
   * Loads the learned rate (or re-reads it now and then), applies a due increase, and sizes the
   * local window. Returns a promise only when the store is asked (a rate read or changed); else
   * all is done at once, so a request that nobody waits ahead of can be granted without waiting.
   */
  private prepareAdaptive(entry: AdaptiveEntry): Promise<void> | undefined {
    if (this.settings.adaptive === false) return undefined;
    const now = this.settings.now();
    const controller = entry.controller;
    if (controller === undefined || now - entry.syncedAt >= RATE_SYNC_MS) return this.syncAdaptive(entry, now);
    return this.stepAdaptive(entry, controller, now);
  }

  /** {@link prepareAdaptive} with the rate to load or re-read from the store first. */
  private async syncAdaptive(entry: AdaptiveEntry, now: number): Promise<void> {
    const settings = this.settings.adaptive;
    if (settings === false) return;
    const store = this.settings.store;
    const [rate, windowMs, learned] = await Promise.all([store.readRate(entry.rateKey), store.readRate(entry.shapeKey), store.readRate(entry.learnedKey)]);
    if (entry.controller === undefined) entry.controller = new AdaptiveRate(settings, now, rate, windowMs);
    else entry.controller.synced(rate, windowMs, now, learned !== undefined);
    entry.syncedAt = now;
    await this.stepAdaptive(entry, entry.controller, now);
  }

  /** Applies a due increase and a learned window (through the store: a promise), then sizes the local window. */
  private stepAdaptive(entry: AdaptiveEntry, controller: AdaptiveRate, now: number): Promise<void> | undefined {
    const change = controller.increaseDue(now);
    if (change !== undefined) return this.increaseAdaptive(entry, controller, change);
    // A window learned from an answer (not a 429) goes to the store too, which keeps the shortest.
    const windowChange = controller.takeWindowChange();
    if (windowChange !== undefined) return this.keepLearnedWindow(entry, controller, windowChange);
    this.sizeAdaptive(entry, controller);
    return undefined;
  }

  private async increaseAdaptive(entry: AdaptiveEntry, controller: AdaptiveRate, change: RateChange): Promise<void> {
    const rate = await this.settings.store.adjustRate(entry.rateKey, change);
    if (change.set === undefined) controller.increased(rate, change, this.settings.now());
    else controller.changed(rate, this.settings.now());
    const windowChange = controller.takeWindowChange();
    if (windowChange !== undefined) await this.keepLearnedWindow(entry, controller, windowChange);
    else this.sizeAdaptive(entry, controller);
  }

  /** Keeps a learned window in the store (see `AdaptiveRate.takeWindowChange`), takes the store's answer, and sizes the local window. */
  private async keepLearnedWindow(entry: AdaptiveEntry, controller: AdaptiveRate, change: RateChange): Promise<void> {
    await this.storeWindow(entry, controller, change);
    this.sizeAdaptive(entry, controller);
  }

  /** Applies a window change in the store and takes the store's answer (it may keep a shorter window another process learned). */
  private async storeWindow(entry: AdaptiveEntry, controller: AdaptiveRate, change: RateChange): Promise<void> {
    const kept = controller.windowStored(await this.settings.store.adjustRate(entry.shapeKey, change));
    if (kept !== undefined) controller.changed(await this.settings.store.adjustRate(entry.rateKey, kept), this.settings.now());
  }

  /** Sizes the local window to the learned one, and the store's spec with it (rebuilt only when it changes). */
  private sizeAdaptive(entry: AdaptiveEntry, controller: AdaptiveRate): void {
    const window = controller.window;
    entry.local.resize(window.limit, window.windowMs);
    const spec = entry.specs[0];
    if (spec === undefined || spec.limit !== window.limit || spec.windowMs !== window.windowMs || spec.keepMs !== controller.keepMs) {
      entry.specs = [adaptiveSpec(entry.windowKey, controller)];
    }
  }

  /** Asks the store for the lane head's slot: synchronously when the store can answer so. */
  private reserve(lane: Lane, probeWindowMs?: number): ReserveResult | Promise<ReserveResult> {
    const reserveNow = this.reserveNow;
    const request: ReserveRequest = { windows: lane.windows, cooldownKey: lane.state.cooldownKey };
    const entry = lane.adaptive;
    const controller = entry?.controller;
    if (entry === undefined || controller === undefined) {
      const budgetRequest = lane.budgetPace === undefined ? request : { ...request, pace: lane.budgetPace };
      return reserveNow === undefined ? this.settings.store.reserve(budgetRequest) : reserveNow(budgetRequest);
    }
    const learned = entry.specs[0] ?? adaptiveSpec(entry.windowKey, controller);
    // A window probe is asked of the store at its shorter window (the store's log holds answer
    // times, as ours), keeping the grants the learned window still counts for everyone else.
    const window = probeWindowMs === undefined ? learned : { ...learned, windowMs: probeWindowMs, keepMs: learned.windowMs };
    // Timers fire late and the store rounds waits up to whole ms; left alone, every gap would
    // grow by that and the rate would sag for good. Shorten the next gap by how late this grant is
    // against our own schedule (at most one gap), so grants keep to the schedule on average.
    const interval = controller.intervalMs;
    const before = this.settings.now();
    const behind = lane.paceDue === undefined ? 0 : Math.max(0, before - lane.paceDue);
    let intervalMs = interval - Math.min(behind, interval);
    // A sub-ms gap is kept on average (a virtual schedule, in fractional ms): the store's pacer
    // holds back only grants more than PACE_CREDIT_MS ahead of it, so the rate stays the same and
    // a request that comes a whole round trip after the last grant is never refused.
    const subMs = interval > 0 && interval < PACE_CREDIT_MS;
    const paceAt = subMs ? Math.max(entry.paceAt, before) + interval : Number.NEGATIVE_INFINITY;
    if (subMs) intervalMs = Math.max(0, paceAt - before - PACE_CREDIT_MS);
    const pacedRequest: ReserveRequest = { ...request, windows: [window], pace: { key: entry.paceKey, intervalMs } };
    if (reserveNow !== undefined) return this.paced(lane, entry, reserveNow(pacedRequest), before, paceAt, intervalMs);
    return this.settings.store.reserve(pacedRequest).then((result) => this.paced(lane, entry, result, before, paceAt, intervalMs));
  }

  /** Keeps the lane's pacer schedule after the store answered a paced reserve asked at `before`. */
  private paced(lane: Lane, entry: AdaptiveEntry, result: ReserveResult, before: number, paceAt: number, intervalMs: number): ReserveResult {
    const after = this.settings.now();
    if (result.granted) {
      entry.paceAt = paceAt;
      lane.paceExpected = before + intervalMs;
      lane.paceDue = undefined;
    } else if (result.reason === "pace" && lane.paceExpected !== undefined) {
      // The store's pacer frees within (before + wait - 1, after + wait]. When our own expectation
      // falls there, nobody else paced this key since our last grant, and we may keep our schedule;
      // otherwise another process shares the pacer and we must not shorten its gaps.
      const expected = lane.paceExpected;
      const ours = expected > before + result.retryInMs - 1.01 && expected <= after + result.retryInMs + 0.01;
      lane.paceDue = ours ? expected : undefined;
    } else {
      lane.paceDue = undefined;
    }
    return result;
  }

  /** Whether the grant was a window probe, not answered before (it is no longer one after). */
  private tookWindowProbe(grant: Grant): boolean {
    if (this.windowProbesOut === 0 || !this.windowProbes.delete(grant)) return false;
    this.windowProbesOut -= 1;
    return true;
  }

  /**
   * A window probe the lane's head may be (see `AdaptiveRate.windowProbeMs`): the shorter window,
   * how long until it fits, and the answer time of the oldest request it goes ahead of. Only for
   * the learned window alone (no budget windows, no quota), and only when it goes at least half
   * its lead ahead of what the window allows: a probe holds the next grant until it is answered,
   * and a head the window frees a few ms later anyway is no probe worth that.
   * @param lane - The lane.
   * @param localWait - How long the learned window holds the head back.
   */
  private windowProbe(lane: Lane, localWait: number): WindowProbe | undefined {
    const entry = lane.adaptive;
    const controller = entry?.controller;
    if (entry === undefined || controller === undefined || lane.uses.length > 0) return undefined;
    const now = this.settings.now();
    const windowMs = controller.windowProbeMs(now);
    if (windowMs === undefined || this.quotaWait(lane.state, now) > 0) return undefined;
    const early = entry.local.earlyWait(now, windowMs);
    if (early === undefined || localWait - early.waitMs < (entry.local.windowMs - windowMs) / 2) return undefined;
    return { windowMs, waitMs: Math.ceil(early.waitMs), blockedBy: early.blockedBy };
  }

  /**
   * A window probe ahead of the store's learned window, for a process that shares the store with
   * others (see `AdaptiveRate.windowProbeMs`): the store just refused the lane's head because the
   * fleet's window is full, and its wait says when the grant that keeps it full leaves it. That
   * grant's time in the store (its answer's, once answered) is the oldest the probe goes ahead of:
   * read as early as it can be (the wait was measured after the ask was sent, and rounded up), so
   * the window a probe's answer proves is never too short. The store grants a probe at the shorter
   * window to one process only: after it, that window is full again. Only when nothing of ours is
   * in flight or refused within the window, and the probe goes at least half its lead ahead.
   * @param lane - The lane.
   * @param askedAt - When the refused reserve was sent.
   * @param retryInMs - The store's wait for the learned window.
   */
  private fleetWindowProbe(lane: Lane, askedAt: number, retryInMs: number): WindowProbe | undefined {
    const entry = lane.adaptive;
    const controller = entry?.controller;
    if (entry === undefined || controller === undefined || lane.uses.length > 0 || !entry.local.quiet(askedAt)) return undefined;
    const now = this.settings.now();
    const windowMs = controller.windowProbeMs(now, true);
    if (windowMs === undefined || this.quotaWait(lane.state, now) > 0) return undefined;
    const learnedMs = entry.local.windowMs;
    const blockedBy = askedAt + retryInMs - 1 - learnedMs;
    const waitMs = Math.max(0, blockedBy + windowMs - now);
    if (retryInMs - (now - askedAt) - waitMs < (learnedMs - windowMs) / 2) return undefined;
    return { windowMs, waitMs: Math.ceil(waitMs), blockedBy };
  }

  private settledWait(lane: Lane): number {
    const adaptive = lane.adaptive?.controller === undefined ? undefined : lane.adaptive.local;
    if (lane.uses.length === 0 && adaptive === undefined) return 0;
    const now = this.settings.now();
    let wait = adaptive?.waitMs(now) ?? 0;
    for (const use of lane.uses) wait = Math.max(wait, use.waitMs(now));
    return wait === Number.POSITIVE_INFINITY ? wait : Math.ceil(wait);
  }

  private releaseSlot(state: KeyState): void {
    state.inFlight -= 1;
    // Wake every waiting lane (a key has few): each checks again, and one that cannot go waits again.
    if (state.slotWaiters.length > 0) for (const lane of [...state.slotWaiters]) lane.wake?.();
  }

  private waitForSlot(lane: Lane): Promise<void> {
    const waiters = lane.state.slotWaiters;
    return new Promise<void>((resolve) => {
      waiters.push(lane);
      lane.wake = () => {
        const index = waiters.indexOf(lane);
        if (index >= 0) waiters.splice(index, 1);
        lane.wake = undefined;
        resolve();
      };
    });
  }

  private sleep(lane: Lane, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(lane.timer);
        lane.timer = undefined;
        lane.wake = undefined;
        resolve();
      };
      // Clamped, not overflowed into a 1 ms spin: a wait past the timer's range wakes early and checks again.
      lane.timer = setTimeout(done, Math.max(1, clampTimerDelay(ms)));
      lane.wake = done;
    });
  }

  /** Drops the keys idle for `idleKeyMs`; also runs by itself every `idleKeyMs / 2` while keys are held. */
  sweep(): void {
    const now = this.settings.now();
    for (const [key, state] of this.keys) {
      if (isIdle(state) && now - state.lastActive >= this.settings.idleKeyMs) this.forget(key, state);
    }
    if (this.keys.size === 0) this.stopSweeper();
  }

  /** Stops the sweep timer (it restarts with the next key). */
  private stopSweeper(): void {
    this.sweeper?.clear();
    this.sweeper = undefined;
  }

  private armSweeper(): void {
    // Housekeeping must never keep a process alive.
    this.sweeper = setSafeInterval(() => this.sweep(), this.settings.idleKeyMs / 2, { unref: true });
  }

  private forget(key: string, state: KeyState): void {
    this.keys.delete(key);
    if (this.newest === state) this.newest = undefined;
  }

  /** Evicts the least recently used idle keys until at most `target` remain (busy keys stay). */
  private evictIdle(target: number): void {
    for (const [key, state] of this.keys) {
      if (this.keys.size <= target) return;
      if (isIdle(state)) this.forget(key, state);
    }
  }
}

/** Nothing queued or in flight: the key's state can be dropped without losing a request. */
function isIdle(state: KeyState): boolean {
  if (state.inFlight !== 0) return false;
  for (const lane of state.lanes.values()) if (lane.queue.size > 0 || lane.pumping) return false;
  return true;
}

/**
 * The key of a budget's window for a key: the tenant's, the tenant's for one app, or the app's in
 * every tenant (shared by the keys of all tenants the app calls). The budget's name comes first,
 * and a budget has one scope, so keys of different scopes never meet.
 */
function budgetWindowKey(state: KeyState, budget: ResolvedBudget): string {
  switch (budget.scope) {
    case "tenant":
      return `w:${budget.name}:${state.tenant}`;
    case "app":
      return `w:${budget.name}:${state.tenant}:${state.app}`;
    case "app-all-tenants":
      return `w:${budget.name}::${state.app}`;
  }
}

/**
 * A lane's queue emptied: it stays in its key for the next request, but what it knew of the pacer
 * goes, as if the lane were made anew. Its expectation of the pacer is only sound while it queues
 * without a break (after one, another process may have paced the key meanwhile).
 */
function endLane(lane: Lane): void {
  lane.paceExpected = undefined;
  lane.paceDue = undefined;
}

/** The store's spec of an adaptive class's learned window, with how long the store keeps its grants (slow start's keep, see `AdaptiveRate.keepMs`). */
function adaptiveSpec(key: string, controller: AdaptiveRate): WindowSpec {
  const { limit, windowMs } = controller.window;
  const keepMs = controller.keepMs;
  return keepMs === undefined ? { key, limit, windowMs } : { key, limit, windowMs, keepMs };
}
