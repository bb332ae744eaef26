import { MAX_TIMER_MS } from "../chain/safeTimer.js";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import type { AdaptiveRateSettings } from "./AdaptiveRate.js";
import type { StoreErrorEvent } from "./guardStore.js";
import { MemoryThrottleStore } from "./MemoryThrottleStore.js";
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
  /** On a 429 the rate becomes this fraction of the estimated limit. @default 0.95 */
  readonly decreaseFactor?: number;
  /** The rate climbs back quickly to this fraction of the estimated limit, and holds there. @default 0.98 */
  readonly plateauRatio?: number;
  /** How long the rate holds at the plateau before probing upward (ms). @default 10000 */
  readonly holdMs?: number;
  /** Probing adds this fraction of the estimated limit per second; 0 never probes. @default 0.005 */
  readonly probeRatio?: number;
  /**
   * The learned rate is enforced as a one-second sliding window (at most `rate` requests in any
   * second), and within it grants are paced at `burst` × rate, so a second's worth goes out
   * spread over 1/`burst` s. `1` is plain pacing at the rate. @default 4
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
   * `windowMs`). They apply on every host, together with the presets.
   * @default []
   */
  readonly budgets?: readonly ThrottleBudget[];
  /**
   * When the built-in Intune device configuration budgets (`INTUNE_DEVICE_CONFIGURATION_BUDGETS`)
   * apply: only to requests sent to a Microsoft Graph host (`"graph-hosts"`; a proxy or an emulator
   * has limits of its own, so adaptive mode learns them), to every host (`"always"`), or never (`false`).
   * @default "graph-hosts"
   */
  readonly presets?: "graph-hosts" | "always" | false;
  /** Multiplies the preset windows (0.05 turns 20 s into 1 s), for tests against a time-scaled emulator. @default 1 */
  readonly presetTimeScale?: number;
  /**
   * Safety margin on every budget window, as a fraction of it: the server counts a request when it
   * arrives, a few ms after we grant it, so a window enforced exactly would let network jitter push
   * one request too many into the server's window.
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
   * Longest wait for one call to a custom store, in ms; a call that fails or times out is answered
   * by a per-process in-memory store instead, so requests are neither lost nor hung.
   * @default 2000
   */
  readonly storeTimeoutMs?: number;
  /**
   * Gives a failed attempt's budget slot back when it got a 502, 503 or 504 or no response at
   * all (but not when it was aborted or timed out, since the server may be working on it). Such
   * attempts were refused by a gateway before the throttled service counted them, so keeping
   * their slots would waste budget on every fault. If the server did count them after all, its
   * 429 and `Retry-After` still correct us through the shared cooldown.
   * @default true
   */
  readonly refundFailedAttempts?: boolean;
  /** Called whenever requests are held back or refused; see `ThrottleEvent`. @default none */
  readonly onThrottle?: ThrottleListener;
  /** Called when a store call failed and the in-memory fallback answered. @default none */
  readonly onStoreError?: (event: StoreErrorEvent) => void;
  /** The clock, in ms (inject for tests). @default Date.now */
  readonly now?: () => number;
}

/** Every option of the handler, defaulted and validated. */
export interface ThrottleSettings {
  readonly store: ThrottleStore;
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
  readonly refundFailedAttempts: boolean;
  readonly onThrottle: ThrottleListener | undefined;
  readonly onStoreError: ((event: StoreErrorEvent) => void) | undefined;
  readonly now: () => number;
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

/** Defaults of the handler (the store is created per handler). */
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
  storeTimeoutMs: 2000,
  refundFailedAttempts: true,
} as const satisfies Omit<
  Required<ThrottleHandlerOptions>,
  "store" | "key" | "adaptive" | "onThrottle" | "onStoreError" | "now"
>;

/**
 * Merges options with the defaults and validates them.
 * @param options - What the user passed.
 * @throws InvalidOptionsError when an option is out of range.
 */
export function resolveThrottleOptions(options: ThrottleHandlerOptions = {}): ThrottleSettings {
  const merged = { ...THROTTLE_DEFAULTS, ...definedOnly(options) };
  positive("presetTimeScale", merged.presetTimeScale);
  atMost("presetTimeScale", merged.presetTimeScale, 1000);
  nonNegative("windowMarginRatio", merged.windowMarginRatio);
  nonNegative("windowMarginMs", merged.windowMarginMs);
  duration("windowMarginMs", merged.windowMarginMs);
  if (typeof merged.budgetBurst !== "number" || !(merged.budgetBurst >= 1)) fail(`budgetBurst must be a number >= 1 or Infinity, not ${String(merged.budgetBurst)}`);
  positiveInteger("maxConcurrency", merged.maxConcurrency);
  positiveInteger("maxQueue", merged.maxQueue);
  positiveInteger("maxKeys", merged.maxKeys);
  nonNegative("defaultCooldownMs", merged.defaultCooldownMs);
  positive("maxCooldownMs", merged.maxCooldownMs);
  positive("idleKeyMs", merged.idleKeyMs);
  positive("storeTimeoutMs", merged.storeTimeoutMs);
  for (const name of ["defaultCooldownMs", "maxCooldownMs", "idleKeyMs", "storeTimeoutMs"] as const) duration(name, merged[name]);
  if (merged.presets !== "graph-hosts" && merged.presets !== "always" && merged.presets !== false) {
    fail(`presets must be "graph-hosts", "always" or false, not ${JSON.stringify(merged.presets)}`);
  }
  if (!Array.isArray(merged.cooldownStatuses) || merged.cooldownStatuses.some((s) => !Number.isInteger(s))) {
    fail("cooldownStatuses must be an array of HTTP status codes");
  }
  if (!Array.isArray(merged.budgets)) fail("budgets must be an array");
  merged.budgets.forEach(validateBudget);
  for (const name of ["key", "onThrottle", "onStoreError", "now"] as const) {
    const value = options[name];
    if (value !== undefined && typeof value !== "function") fail(`${name} must be a function`);
  }
  const store = options.store ?? new MemoryThrottleStore(options.now === undefined ? {} : { now: options.now });
  if (typeof store.reserve !== "function" || typeof store.extendCooldown !== "function") {
    fail("store must implement ThrottleStore (reserve, extendCooldown, cooldownRemaining, readRate, adjustRate)");
  }
  return {
    ...merged,
    store,
    key: options.key,
    adaptive: resolveAdaptive(options.adaptive),
    onThrottle: options.onThrottle,
    onStoreError: options.onStoreError,
    now: options.now ?? (() => Date.now()),
  };
}

function resolveAdaptive(option: boolean | AdaptiveThrottleOptions | undefined): AdaptiveRateSettings | false {
  if (option === false) return false;
  const merged = { ...ADAPTIVE_DEFAULTS, ...(option === true || option === undefined ? {} : definedOnly(option)) };
  positive("adaptive.initialRate", merged.initialRate);
  positive("adaptive.minRate", merged.minRate);
  positive("adaptive.maxRate", merged.maxRate);
  if (merged.minRate > merged.maxRate) fail("adaptive.minRate must not exceed adaptive.maxRate");
  positive("adaptive.slowStartIntervalMs", merged.slowStartIntervalMs);
  positive("adaptive.increaseIntervalMs", merged.increaseIntervalMs);
  duration("adaptive.slowStartIntervalMs", merged.slowStartIntervalMs);
  duration("adaptive.increaseIntervalMs", merged.increaseIntervalMs);
  duration("adaptive.holdMs", merged.holdMs);
  if (!(merged.decreaseFactor > 0 && merged.decreaseFactor < 1)) fail("adaptive.decreaseFactor must be between 0 and 1 (exclusive)");
  if (!(merged.plateauRatio > 0 && merged.plateauRatio <= 1)) fail("adaptive.plateauRatio must be in (0, 1]");
  nonNegative("adaptive.holdMs", merged.holdMs);
  nonNegative("adaptive.probeRatio", merged.probeRatio);
  if (!(merged.burst >= 1) || !Number.isFinite(merged.burst)) fail(`adaptive.burst must be a number >= 1, not ${String(merged.burst)}`);
  return merged;
}

function validateBudget(budget: ThrottleBudget, index: number): void {
  const where = `budgets[${index}]`;
  if (budget === null || typeof budget !== "object") fail(`${where} must be an object`);
  const route: unknown = budget.route;
  if (typeof route !== "string" && !(route instanceof RegExp) && typeof route !== "function") {
    fail(`${where}.route must be a path prefix string, a RegExp or a function of the path`);
  }
  if (typeof route === "string" && !route.startsWith("/")) fail(`${where}.route must start with "/" (the path after the version segment)`);
  const methods: unknown = budget.methods;
  if (methods !== "write" && methods !== "any" && !(Array.isArray(methods) && methods.every((m) => typeof m === "string"))) {
    fail(`${where}.methods must be "write", "any" or an array of HTTP methods`);
  }
  if (budget.scope !== "tenant" && budget.scope !== "app") fail(`${where}.scope must be "tenant" or "app"`);
  positiveInteger(`${where}.limit`, budget.limit);
  positive(`${where}.windowMs`, budget.windowMs);
  duration(`${where}.windowMs`, budget.windowMs);
  if (budget.name !== undefined && (typeof budget.name !== "string" || budget.name === "")) fail(`${where}.name must be a non-empty string`);
}

/** Drops keys whose value is `undefined`, so they do not override defaults. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function fail(message: string): never {
  throw new InvalidOptionsError(`ThrottleHandler: ${message}`);
}

function positive(name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) fail(`${name} must be a positive number, not ${String(value)}`);
}

function nonNegative(name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) fail(`${name} must be a number >= 0, not ${String(value)}`);
}

function atMost(name: string, value: number, max: number): void {
  if (value > max) fail(`${name} must be at most ${max}, not ${String(value)}`);
}

/** A time the handler waits on a timer: beyond `setTimeout`'s range (about 24.8 days) it is surely a unit mistake. */
function duration(name: string, value: number): void {
  if (value > MAX_TIMER_MS) fail(`${name} must be at most ${MAX_TIMER_MS} ms (about 24.8 days), not ${String(value)}`);
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) fail(`${name} must be an integer >= 1, not ${String(value)}`);
}
