import { aLogger, type GraphLogger } from "../chain/logger.js";
import {
  aBoolean,
  aClock,
  aFunction,
  arrayOf,
  httpStatus,
  nonNegativeNumber,
  numberWhere,
  oneOf,
  positiveInteger,
  positiveNumber,
  valueWhere,
} from "../chain/optionRules.js";
import { nestedOptions, optionSchema, resolveOptions, type OptionRule } from "../chain/resolveOptions.js";
import { monotonicNow } from "../chain/monotonicNow.js";
import { MAX_TIMER_MS } from "../chain/safeTimer.js";
import type { AdaptiveRateSettings } from "./AdaptiveRate.js";
import { MemoryThrottleStore } from "./MemoryThrottleStore.js";
import type { StoreFallbackEvent, StoreRecoverEvent } from "./StoreEvents.js";
import type { ThrottleBudget } from "./ThrottleBudget.js";
import type { ThrottleListener } from "./ThrottleEvents.js";
import type { ThrottleKeyFunction } from "./throttleIdentity.js";
import type { ThrottleStore } from "./ThrottleStore.js";

/** Tuning of adaptive mode (routes with no known budget). The defaults suit most servers. */
export interface AdaptiveThrottleOptions {
  /** Requests per second before anything was learned. @default 20 */
  readonly initialRate?: number;
  /** The rate never goes below this, requests per second. @default 0.5 */
  readonly minRate?: number;
  /** The rate never goes above this, requests per second. @default 2000 */
  readonly maxRate?: number;
  /** Slow start doubles the rate this often (ms) while the pacer holds requests back. @default 50 */
  readonly slowStartIntervalMs?: number;
  /** After the first 429, increases happen at most this often (ms). @default 250 */
  readonly increaseIntervalMs?: number;
  /**
   * On a 429 the rate becomes this fraction of the estimated limit, when the estimate is a rate read
   * from a steady flow. A count (the successes of the last second, or of a learned window) is
   * held exactly. @default 0.95
   */
  readonly decreaseFactor?: number;
  /** The rate climbs back quickly to this fraction of an estimated (read, not counted) limit, and holds there. @default 0.98 */
  readonly plateauRatio?: number;
  /** How long the rate holds at the plateau before probing upward (ms); at most two windows (one second each while no window is learned). @default 10000 */
  readonly holdMs?: number;
  /**
   * The first probe step above the learned limit, as a share of it (at least one request per
   * window); each step that lasts a window doubles the next (a one-second window while none is
   * learned); 0 never probes. @default 0.005
   */
  readonly probeRatio?: number;
  /**
   * The learned rate is enforced as a one-second sliding window (at most `rate` requests in any
   * second), and within it grants are paced at `burst` × rate, so a second's worth goes out
   * spread over 1/`burst` s. `1` is plain pacing at the rate. A pacing gap below 1 ms is kept on
   * average (grants may run up to 1 ms ahead of it). A learned window longer than a second
   * is sent as bursts instead. When a smooth pace lasts at a level this pace failed at (a token
   * bucket with a small burst), the route class is paced at the rate from then on (see the
   * README, "How adaptive mode learns"). @default 4
   */
  readonly burst?: number;
}

/** Options of `ThrottleHandler` (the `throttle` option of `createGraphClient`). */
export interface ThrottleHandlerOptions {
  /**
   * Where throttle state lives. Pass the Redis store (`msgraph-software-update-status/redis`) to
   * share budgets, cooldowns and learned rates across processes.
   * @default new MemoryThrottleStore()
   */
  readonly store?: ThrottleStore;
  /**
   * Chooses the throttle identity of a request.
   * @default tenant and app from the bearer token's `tid` and `appid`/`azp` claims; the URL host when the token is not a JWT
   */
  readonly key?: ThrottleKeyFunction;
  /**
   * Known limits of your own: each is a sliding window (at most `limit` grants in any span of
   * `windowMs`). They apply on every host, together with the presets. A limit is an upper bound:
   * 429s it did not predict (something else spends it too) cut this process's share of it, which
   * grows back after windows without one (see `BudgetUseStats.share`).
   * @default []
   */
  readonly budgets?: readonly ThrottleBudget[];
  /**
   * When the built-in presets apply: the Intune device configuration budgets
   * (`INTUNE_DEVICE_CONFIGURATION_BUDGETS`), and Outlook's limit of 4 requests in flight per app and
   * mailbox (on each mailbox's key, below `maxConcurrency`). Only to requests sent to a Microsoft Graph host (`"graph-hosts"`; a proxy or an emulator
   * has limits of its own, so adaptive mode learns them), to every host (`"always"`), or never (`false`).
   * @default "graph-hosts"
   */
  readonly presets?: "graph-hosts" | "always" | false;
  /** Multiplies the preset windows (0.05 turns 20 s into 1 s), for tests against a time-scaled emulator. @default 1 */
  readonly presetTimeScale?: number;
  /**
   * Safety margin on every budget window, as a fraction of it, for requests not answered yet: the
   * server counts a request when it arrives, some time after we grant it. An answered request's
   * slot frees exactly one window after its answer (the server counted it before that), margin off.
   * @default 0.01
   */
  readonly windowMarginRatio?: number;
  /** Safety margin on every budget window, in milliseconds, added to the ratio's. @default 10 */
  readonly windowMarginMs?: number;
  /**
   * Smoothing within budgets: grants of a budget are paced at `budgetBurst` × limit / window, so
   * a full window's worth goes out over 1/`budgetBurst` of the window rather than as one burst
   * (a burst queues on the network and in event loops and reaches the server late and
   * unevenly). `Infinity` sends bursts.
   * @default 4
   */
  readonly budgetBurst?: number;
  /** Adaptive pacing for routes with no known budget: `true`, tuning options, or `false` for none. @default true */
  readonly adaptive?: boolean | AdaptiveThrottleOptions;
  /** Requests of one key in flight at once, at most. @default 50 */
  readonly maxConcurrency?: number;
  /** Requests of one key waiting at once, at most; more are refused with `ThrottleQueueFullError`. @default 10000 */
  readonly maxQueue?: number;
  /** Cooldown after a 429 whose `Retry-After` cannot be read (browsers may hide it), in ms. @default 1000 */
  readonly defaultCooldownMs?: number;
  /**
   * The longest cooldown a request waits out, in ms, when no `ResilientRetryHandler` above tells
   * its own limit (with one, its `maxRetryAfterMs` and remaining `deadlineMs` apply instead). A
   * request facing a longer cooldown fails at once with `RetryAfterTooLongError`, and nothing is
   * sent. The cooldown itself keeps the server's whole `Retry-After` (up to one hour).
   * @default 120000 (the retry handler's `maxRetryAfterMs`)
   */
  readonly maxCooldownMs?: number;
  /** Statuses whose `Retry-After` starts a shared cooldown for the key. @default [429, 503] */
  readonly cooldownStatuses?: readonly number[];
  /**
   * State of a key with nothing queued or in flight is dropped after this long, in ms, by a timer
   * that never keeps the process alive.
   * @default 60000
   */
  readonly idleKeyMs?: number;
  /**
   * Keys held at most; beyond it the least recently used idle keys (nothing queued or in flight)
   * are dropped at once. A busy key is never dropped, so the count may exceed it while more keys
   * than this are busy.
   * @default 10000
   */
  readonly maxKeys?: number;
  /**
   * Longest wait for one call to the store (Redis or your own), in ms. A call that fails or times
   * out is answered by `fallbackStore`, and so are all calls after it until a probe finds the store
   * working again, so requests are neither lost nor hung. This is the only store timeout.
   * @default 250
   */
  readonly storeTimeoutMs?: number;
  /**
   * During a store outage, how often the failed call is replayed on the store to see whether it
   * works again, in ms (on an unref'd timer, bounded by `storeTimeoutMs`).
   * @default 1000
   */
  readonly storeProbeIntervalMs?: number;
  /**
   * Answers while the store is down: requests keep flowing, throttled per process. Pass your own
   * store for another policy (e.g. one that always grants, to fail open). While the store works,
   * its grants, cooldowns and rates are copied into it, so a switch starts warm.
   * @default new MemoryThrottleStore()
   */
  readonly fallbackStore?: ThrottleStore;
  /**
   * Gives a failed attempt's budget slot back when it got a 502, 503 or 504 or no response at
   * all (but not when it was aborted or timed out, since the server may be working on it). Such
   * attempts are usually refused by a gateway before the throttled service counts them, so keeping
   * their slots would waste budget on every fault. In adaptive mode, the 429 of a failed probe step
   * gives its slot back too: the server turned the request away because its window was full; and,
   * while processes share a store, so does the refused request of the burst that teaches the limit
   * (the fleet then counts what the server admitted). No Graph document promises either, so refunds
   * are checked: a 429 while a refund is still within the window turns them off for that key (a
   * `refunds-off` event).
   * @default true
   */
  readonly refundFailedAttempts?: boolean;
  /** Called whenever requests are held back or refused; see `ThrottleEvent`. @default none */
  readonly onThrottle?: ThrottleListener;
  /** Called once per store outage, when calls switch to `fallbackStore`. @default none */
  readonly onStoreFallback?: (event: StoreFallbackEvent) => void;
  /** Called when a probe finds the store working again and calls go back to it. @default none */
  readonly onStoreRecover?: (event: StoreRecoverEvent) => void;
  /**
   * Logs cooldowns and refused requests (`warn`), budget and pacing waits (`debug`), store
   * fallback (`warn`) and recovery (`info`); never a token. `console` fits. @default none (silent)
   */
  readonly logger?: GraphLogger;
  /**
   * The clock for windows, pacers and cooldowns, in ms (inject for tests). Only its differences
   * matter: stores take durations. @default a monotonic clock (`performance.timeOrigin +
   * performance.now()`), so a wall-clock step (NTP) neither frees windows early nor holds
   * requests for the length of the step.
   */
  readonly now?: () => number;
}

/** Defaults of adaptive mode. */
export const ADAPTIVE_DEFAULTS = {
  initialRate: 20,
  minRate: 0.5,
  maxRate: 2000,
  slowStartIntervalMs: 50,
  increaseIntervalMs: 250,
  decreaseFactor: 0.95,
  plateauRatio: 0.98,
  holdMs: 10_000,
  probeRatio: 0.005,
  burst: 4,
} as const satisfies Required<AdaptiveThrottleOptions>;

/** Defaults of the handler (the stores are created per handler, with its clock). */
export const THROTTLE_DEFAULTS = {
  budgets: [],
  presets: "graph-hosts",
  presetTimeScale: 1,
  windowMarginRatio: 0.01,
  windowMarginMs: 10,
  budgetBurst: 4,
  maxConcurrency: 50,
  maxQueue: 10_000,
  defaultCooldownMs: 1000,
  maxCooldownMs: 120_000,
  cooldownStatuses: [429, 503],
  idleKeyMs: 60_000,
  maxKeys: 10_000,
  storeTimeoutMs: 250,
  storeProbeIntervalMs: 1000,
  refundFailedAttempts: true,
} as const satisfies Omit<
  Required<ThrottleHandlerOptions>,
  "store" | "fallbackStore" | "key" | "adaptive" | "onThrottle" | "onStoreFallback" | "onStoreRecover" | "logger" | "now"
>;

/** Durations are timer delays: above the timer maximum (about 24.8 days) they would overflow into a spin. */
const duration = numberWhere((n) => Number.isFinite(n) && n > 0 && n <= MAX_TIMER_MS, `a number > 0 and at most ${MAX_TIMER_MS} ms (about 24.8 days)`);
const nonNegativeDuration = numberWhere((n) => Number.isFinite(n) && n >= 0 && n <= MAX_TIMER_MS, `a number >= 0 and at most ${MAX_TIMER_MS} ms`);

const STORE_METHODS = ["reserve", "extendCooldown", "cooldownRemaining", "readRate", "adjustRate"] as const;

/** A value implementing {@link ThrottleStore}. */
const aStore = valueWhere<ThrottleStore>(
  (value) =>
    typeof value === "object" && value !== null && STORE_METHODS.every((name) => typeof (value as Record<string, unknown>)[name] === "function"),
  `a ThrottleStore (${STORE_METHODS.join(", ")})`,
);

const ADAPTIVE_OPTIONS = optionSchema<AdaptiveThrottleOptions>()({
  name: "adaptive options",
  defaults: ADAPTIVE_DEFAULTS,
  rules: {
    initialRate: positiveNumber,
    minRate: positiveNumber,
    maxRate: positiveNumber,
    slowStartIntervalMs: duration,
    increaseIntervalMs: duration,
    decreaseFactor: numberWhere((n) => n > 0 && n < 1, "a number between 0 and 1 (exclusive)"),
    plateauRatio: numberWhere((n) => n > 0 && n <= 1, "a number in (0, 1]"),
    holdMs: nonNegativeDuration,
    probeRatio: nonNegativeNumber,
    burst: numberWhere((n) => n >= 1 && Number.isFinite(n), "a finite number >= 1"),
  },
  refine: ({ minRate, maxRate }, report) => {
    if (typeof minRate === "number" && typeof maxRate === "number" && minRate > maxRate) {
      report("minRate", `must not exceed maxRate (${maxRate}), got ${minRate}`);
    }
  },
});

const adaptiveTuning = nestedOptions(ADAPTIVE_OPTIONS);

/** `true` (the defaults), `false` (off) or tuning options. */
const adaptiveRule: OptionRule<AdaptiveRateSettings | false> = (value, path, report) => {
  if (value === false) return false;
  return adaptiveTuning(value === true ? {} : value, path, report) as AdaptiveRateSettings;
};

const BUDGET_OPTIONS = optionSchema<ThrottleBudget>()({
  name: "budget",
  defaults: {},
  required: ["route", "methods", "scope", "limit", "windowMs"],
  rules: {
    name: valueWhere<string>((value) => typeof value === "string" && value !== "", "a non-empty string"),
    route: valueWhere<ThrottleBudget["route"]>(
      (value) => (typeof value === "string" && value.startsWith("/")) || value instanceof RegExp || typeof value === "function",
      'a path prefix starting with "/" (the path after the version segment), a RegExp or a function of the path',
    ),
    methods: valueWhere<ThrottleBudget["methods"]>(
      (value) => value === "write" || value === "any" || (Array.isArray(value) && value.every((m) => typeof m === "string")),
      '"write", "any" or an array of HTTP methods',
    ),
    scope: oneOf(["tenant", "app", "app-all-tenants"]),
    limit: positiveInteger,
    windowMs: duration,
  },
});

/** How {@link ThrottleHandlerOptions} are checked and defaulted (stores are created afterwards). */
export const THROTTLE_OPTIONS = optionSchema<ThrottleHandlerOptions>()({
  name: "ThrottleHandler options",
  defaults: { ...THROTTLE_DEFAULTS, adaptive: true },
  rules: {
    store: aStore,
    fallbackStore: aStore,
    key: aFunction,
    budgets: arrayOf(nestedOptions(BUDGET_OPTIONS), "an array of budgets"),
    presets: oneOf(["graph-hosts", "always", false]),
    presetTimeScale: numberWhere((n) => Number.isFinite(n) && n > 0 && n <= 1000, "a number > 0 and at most 1000"),
    windowMarginRatio: nonNegativeNumber,
    windowMarginMs: nonNegativeDuration,
    budgetBurst: numberWhere((n) => n >= 1, "a number >= 1 or Infinity"),
    adaptive: adaptiveRule,
    maxConcurrency: positiveInteger,
    maxQueue: positiveInteger,
    defaultCooldownMs: nonNegativeDuration,
    maxCooldownMs: duration,
    cooldownStatuses: arrayOf(httpStatus, "an array of HTTP status codes"),
    idleKeyMs: duration,
    maxKeys: positiveInteger,
    storeTimeoutMs: duration,
    storeProbeIntervalMs: duration,
    refundFailedAttempts: aBoolean,
    onThrottle: aFunction,
    onStoreFallback: aFunction,
    onStoreRecover: aFunction,
    logger: aLogger,
    now: aClock,
  },
  retired: {
    onStoreError: "use onStoreFallback (once per store outage) and onStoreRecover",
  },
});

/** Every option of the handler, defaulted and validated. */
export interface ThrottleSettings {
  readonly store: ThrottleStore;
  readonly fallbackStore: ThrottleStore;
  readonly key: ThrottleKeyFunction | undefined;
  readonly budgets: readonly ThrottleBudget[];
  readonly presets: "graph-hosts" | "always" | false;
  readonly presetTimeScale: number;
  readonly windowMarginRatio: number;
  readonly windowMarginMs: number;
  readonly budgetBurst: number;
  readonly adaptive: AdaptiveRateSettings | false;
  readonly maxConcurrency: number;
  readonly maxQueue: number;
  readonly defaultCooldownMs: number;
  readonly maxCooldownMs: number;
  readonly cooldownStatuses: readonly number[];
  readonly idleKeyMs: number;
  readonly maxKeys: number;
  readonly storeTimeoutMs: number;
  readonly storeProbeIntervalMs: number;
  readonly refundFailedAttempts: boolean;
  readonly onThrottle: ThrottleListener | undefined;
  readonly onStoreFallback: ((event: StoreFallbackEvent) => void) | undefined;
  readonly onStoreRecover: ((event: StoreRecoverEvent) => void) | undefined;
  readonly logger: GraphLogger | undefined;
  readonly now: () => number;
}

/**
 * Merges options with the defaults and validates them (through the shared `resolveOptions`).
 * @param options - What the user passed.
 * @throws InvalidOptionsError listing every invalid or unknown option.
 */
export function resolveThrottleOptions(options: ThrottleHandlerOptions = {}): ThrottleSettings {
  const resolved = resolveOptions(THROTTLE_OPTIONS, options);
  const now = resolved.now ?? monotonicNow;
  const memoryStore = (): MemoryThrottleStore => new MemoryThrottleStore(resolved.now === undefined ? {} : { now: resolved.now });
  return {
    ...(resolved as Omit<ThrottleSettings, "store" | "fallbackStore" | "now">),
    store: resolved.store ?? memoryStore(),
    fallbackStore: resolved.fallbackStore ?? memoryStore(),
    now,
  };
}
