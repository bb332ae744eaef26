import { createConcurrencyGate } from "./concurrencyGate.js";
import { createFixedWindow } from "./fixedWindow.js";
import type { LimitCounter, LimitShape } from "./limitCounter.js";
import { scheduledLimit } from "./limitSchedule.js";
import { nearLimitHeaders, type CountedLimit } from "./nearLimitHeaders.js";
import { resolveEmulatorLimits, type ResolvedEmulatorLimit } from "./options.js";
import { createSlidingWindow } from "./slidingWindow.js";
import { createTokenBucket } from "./tokenBucket.js";
import type { EmulatorLimit, EmulatorLimitStats, EmulatorRetryAfter } from "./types.js";

/** The throttle's answer for one request. */
export type ThrottleDecision =
  | {
      readonly admitted: true;
      /** Near-limit headers for the answer, present only when a limit sends them now. */
      readonly headers?: Readonly<Record<string, string>>;
    }
  | {
      readonly admitted: false;
      /** Milliseconds until every blocking limit has room (> 0 for rate limits). */
      readonly retryAfterMs: number;
      /** Names of the limits that refused the request. */
      readonly blockedBy: readonly string[];
      /** The `Retry-After` mode of the limit with the longest wait, present only when that limit has its own. */
      readonly retryAfter?: EmulatorRetryAfter;
    };

/** A request's place under the concurrency limits, taken at arrival and given back when its answer ends. */
export interface ConcurrencyTicket {
  /** Concurrency limits that were full at arrival (the request took no place then). */
  readonly blockedBy: readonly string[];
  /** Gives the places back (once; later calls do nothing). */
  leave(): void;
}

/** Per-tenant throttling of the emulator. */
export interface EmulatorThrottle {
  /**
   * Takes the request's places under the concurrency limits, or none when one of them is full.
   * Arguments as for {@link EmulatorThrottle.admit}.
   */
  enter(tenant: string, app: string, isWrite: boolean, at: number, path?: string): ConcurrencyTicket;
  /**
   * Admits the request and counts it in every rate limit that applies, or refuses it and counts it
   * only in limits with `countThrottled`.
   * @param tenant - The tenant of the token.
   * @param app - The app of the token.
   * @param isWrite - Whether the request is a write (POST, PUT, PATCH, DELETE).
   * @param at - The time of the request in milliseconds, on one monotonic clock for all calls.
   * @param path - The request path (without query), for limits with a `path`; limits with one never apply without it.
   * @param ticket - The request's concurrency ticket from {@link EmulatorThrottle.enter}.
   */
  admit(tenant: string, app: string, isWrite: boolean, at: number, path?: string, ticket?: ConcurrencyTicket): ThrottleDecision;
  /**
   * Admits a `$batch` envelope: only rate limits whose `path` names the batch endpoint count it
   * (Graph counts the requests inside a batch, each on its own, against the other limits).
   * @param path - The envelope's path, e.g. `/v1.0/$batch`.
   */
  admitEnvelope(tenant: string, app: string, at: number, path: string): ThrottleDecision;
  /** Counts a request a fault answered, in the rate limits with `countFaulted`. Arguments as for `admit`. */
  recordFaulted(tenant: string, app: string, isWrite: boolean, at: number, path?: string): void;
  /**
   * Replaces the limits; limits keeping name, algorithm and scope keep their counters and stats.
   * Schedules restart at `at`.
   * @throws InvalidOptionsError when a limit is invalid (nothing changes then).
   */
  setLimits(limits: readonly EmulatorLimit[], at: number): void;
  /** Forgets every counter and per-limit stat (requests in flight keep their places); schedules restart at `at` when given. */
  reset(at?: number): void;
  /** Each limit's counts and effective shape at `at`. */
  stats(at: number): Record<string, EmulatorLimitStats>;
  /** How many counters are held in memory (for leak checks). */
  windowCount(): number;
}

interface Rule {
  readonly spec: ResolvedEmulatorLimit;
  /** A short key prefix, the same for a name across `setLimits` (long names would slow every lookup). */
  readonly id: number;
  shape: LimitShape;
  counted: number;
  throttled: number;
}

interface Entry extends CountedLimit {
  readonly counter: LimitCounter;
  rule: Rule;
  spec: ResolvedEmulatorLimit;
  shape: LimitShape;
}

// A concurrency limit cannot know when a place frees; it reports this wait (before timeScale).
const CONCURRENCY_WAIT_MS = 1000;
const NO_TICKET: ConcurrencyTicket = Object.freeze({ blockedBy: Object.freeze([]), leave: () => undefined });
const ADMITTED: ThrottleDecision = Object.freeze({ admitted: true });

/**
 * Creates the emulator's throttle. State is keyed by limit and tenant (and app), so one tenant's
 * throttling never affects another.
 * @param limits - The rules; an empty list admits everything.
 * @param timeScale - Multiplies every window and schedule time.
 * @param epochMs - When the limits took effect, on the clock of `at` (schedules count from it). @default 0
 * @throws InvalidOptionsError when a limit is invalid.
 */
export function createEmulatorThrottle(limits: readonly EmulatorLimit[], timeScale: number, epochMs = 0): EmulatorThrottle {
  const ids = new Map<string, number>();
  let rules: Rule[] = [];
  let longestWindowMs = 0;
  let sendsHeaders = false;
  useRules(toRules(resolveEmulatorLimits(limits), new Map()));
  let epoch = epochMs;
  let entries = new Map<string, Entry>();
  const gate = createConcurrencyGate();
  let lastSweep = -Infinity;

  function toRules(specs: readonly ResolvedEmulatorLimit[], previous: ReadonlyMap<string, Rule>): Rule[] {
    return specs.map((spec) => {
      const old = previous.get(spec.name);
      const kept = old !== undefined && sameCounter(old.spec, spec);
      let id = ids.get(spec.name);
      if (id === undefined) ids.set(spec.name, (id = ids.size));
      return { spec, id, shape: shapeOf(spec, spec.limit), counted: kept ? old.counted : 0, throttled: kept ? old.throttled : 0 };
    });
  }

  function useRules(next: Rule[]): void {
    rules = next;
    longestWindowMs = rules.reduce((max, rule) => Math.max(max, rule.spec.windowMs * timeScale), 0);
    sendsHeaders = rules.some((rule) => rule.spec.nearLimitHeaders.rateLimit || rule.spec.nearLimitHeaders.throttleLimitPercentage);
  }

  function shapeOf(spec: ResolvedEmulatorLimit, limit: number): LimitShape {
    return { limit, windowMs: spec.windowMs * timeScale, burst: spec.burst ?? limit };
  }

  // The rule's shape at `at`; the same object while nothing changes, so counters reshape only on a change.
  function shapeAt(rule: Rule, at: number): LimitShape {
    if (rule.spec.schedule.length === 0) return rule.shape;
    const limit = scheduledLimit(rule.spec.limit, rule.spec.schedule, at - epoch, timeScale);
    if (limit !== rule.shape.limit) rule.shape = shapeOf(rule.spec, limit);
    return rule.shape;
  }

  // Per rule (its id first), so keys of different scopes never meet.
  const keyOf = (rule: Rule, tenant: string, app: string): string => {
    switch (rule.spec.scope) {
      case "app":
        return `${rule.id}\u0000${tenant}\u0000${app}`;
      case "app-all-tenants":
        return `${rule.id}\u0000\u0000${app}`;
      case "tenant":
        return `${rule.id}\u0000${tenant}`;
    }
  };

  function entryFor(rule: Rule, tenant: string, app: string, at: number): Entry {
    const key = keyOf(rule, tenant, app);
    const shape = shapeAt(rule, at);
    let entry = entries.get(key);
    if (entry === undefined) {
      entry = { counter: createCounter(rule.spec.algorithm, shape), rule, spec: rule.spec, shape };
      entries.set(key, entry);
    } else if (entry.shape !== shape) {
      entry.counter.reshape(shape);
      entry.shape = shape;
    }
    return entry;
  }

  // Idle counters are dropped now and then, so many short-lived tenants do not leak memory.
  function sweep(at: number): void {
    if (at - lastSweep < Math.max(longestWindowMs, 1000)) return;
    lastSweep = at;
    for (const [key, entry] of entries) {
      if (entry.counter.idleAt() <= at) entries.delete(key);
    }
  }

  // The rate limits that count this request, each with its tenant's (or app's) counter.
  function countersFor(tenant: string, app: string, isWrite: boolean, at: number, path: string | undefined, explicitPath = false): Entry[] {
    const counted: Entry[] = [];
    for (const rule of rules) {
      if (rule.spec.algorithm === "concurrency" || !applies(rule.spec, isWrite, path)) continue;
      if (explicitPath && rule.spec.path === undefined) continue;
      counted.push(entryFor(rule, tenant, app, at));
    }
    return counted;
  }

  function admitCounted(
    tenant: string,
    app: string,
    isWrite: boolean,
    at: number,
    path: string | undefined,
    ticket: ConcurrencyTicket,
    explicitPath: boolean,
  ): ThrottleDecision {
    if (rules.length === 0) return ADMITTED;
    sweep(at);
    const counted = countersFor(tenant, app, isWrite, at, path, explicitPath);
    let blockedBy: string[] | undefined;
    let retryAfterMs = 0;
    let decider: Rule | undefined;
    let next = 0;
    for (const rule of rules) {
      let wait: number;
      if (rule.spec.algorithm === "concurrency") {
        wait = ticket.blockedBy.includes(rule.spec.name) ? CONCURRENCY_WAIT_MS * timeScale : 0;
      } else if (counted[next]?.rule === rule) {
        // `counted` holds the applicable rate limits in rule order.
        wait = (counted[next] as Entry).counter.waitMs(at);
        next += 1;
      } else {
        continue;
      }
      if (wait <= 0) continue;
      (blockedBy ??= []).push(rule.spec.name);
      rule.throttled += 1;
      // Admission needs room in every limit, so the wait is the longest one; that limit writes Retry-After.
      if (decider === undefined || wait > retryAfterMs) {
        decider = rule;
        retryAfterMs = wait;
      }
    }
    if (decider !== undefined && blockedBy !== undefined) {
      for (const { rule, counter } of counted) {
        if (!rule.spec.countThrottled) continue;
        counter.record(at);
        rule.counted += 1;
      }
      const refusal = { admitted: false as const, retryAfterMs, blockedBy };
      const retryAfter = decider.spec.retryAfter;
      return retryAfter === undefined ? refusal : { ...refusal, retryAfter };
    }
    for (const { rule, counter } of counted) {
      counter.record(at);
      rule.counted += 1;
    }
    const headers = sendsHeaders ? nearLimitHeaders(counted, at) : undefined;
    return headers === undefined ? ADMITTED : { admitted: true, headers };
  }

  return {
    enter(tenant, app, isWrite, at, path) {
      const blockedBy: string[] = [];
      const places: { rule: Rule; key: string }[] = [];
      for (const rule of rules) {
        if (rule.spec.algorithm !== "concurrency" || !applies(rule.spec, isWrite, path)) continue;
        const key = keyOf(rule, tenant, app);
        if (gate.inFlight(key) >= shapeAt(rule, at).limit) blockedBy.push(rule.spec.name);
        else places.push({ rule, key });
      }
      if (blockedBy.length > 0) return { blockedBy, leave: () => undefined };
      if (places.length === 0) return NO_TICKET;
      for (const { rule, key } of places) {
        gate.enter(key);
        rule.counted += 1;
      }
      let left = false;
      return {
        blockedBy,
        leave() {
          if (left) return;
          left = true;
          for (const { key } of places) gate.leave(key);
        },
      };
    },
    admitEnvelope(tenant, app, at, path) {
      return admitCounted(tenant, app, true, at, path, NO_TICKET, true);
    },
    admit(tenant, app, isWrite, at, path, ticket = NO_TICKET) {
      return admitCounted(tenant, app, isWrite, at, path, ticket, false);
    },
    recordFaulted(tenant, app, isWrite, at, path) {
      for (const rule of rules) {
        if (!rule.spec.countFaulted || !applies(rule.spec, isWrite, path)) continue;
        entryFor(rule, tenant, app, at).counter.record(at);
        rule.counted += 1;
      }
    },
    setLimits(limits, at) {
      const previous = new Map(rules.map((rule) => [rule.spec.name, rule]));
      const next = toRules(resolveEmulatorLimits(limits), previous);
      const byName = new Map(next.map((rule) => [rule.spec.name, rule]));
      for (const [key, entry] of entries) {
        const rule = byName.get(entry.spec.name);
        if (rule !== undefined && sameCounter(entry.rule.spec, rule.spec)) {
          entry.rule = rule;
          entry.spec = rule.spec;
        } else {
          entries.delete(key);
        }
      }
      useRules(next);
      epoch = at;
    },
    reset(at) {
      entries = new Map();
      lastSweep = -Infinity;
      for (const rule of rules) {
        rule.counted = 0;
        rule.throttled = 0;
      }
      if (at !== undefined) epoch = at;
    },
    stats(at) {
      const stats: Record<string, EmulatorLimitStats> = {};
      for (const rule of rules) {
        const shape = shapeAt(rule, at);
        const { algorithm } = rule.spec;
        stats[rule.spec.name] = {
          algorithm,
          limit: shape.limit,
          windowMs: algorithm === "concurrency" ? undefined : shape.windowMs,
          burst: algorithm === "token-bucket" ? shape.burst : undefined,
          counted: rule.counted,
          throttled: rule.throttled,
        };
      }
      return stats;
    },
    windowCount: () => entries.size,
  };
}

function applies(spec: ResolvedEmulatorLimit, isWrite: boolean, path: string | undefined): boolean {
  if (spec.requests === "write" && !isWrite) return false;
  return spec.path === undefined || (path !== undefined && path.toLowerCase().startsWith(spec.path));
}

// Counters carry over a limit change only when they count the same way for the same keys.
function sameCounter(a: ResolvedEmulatorLimit, b: ResolvedEmulatorLimit): boolean {
  return a.algorithm === b.algorithm && a.scope === b.scope;
}

function createCounter(algorithm: ResolvedEmulatorLimit["algorithm"], shape: LimitShape): LimitCounter {
  switch (algorithm) {
    case "fixed-window":
      return createFixedWindow(shape.limit, shape.windowMs);
    case "token-bucket":
      return createTokenBucket(shape.limit, shape.windowMs, shape.burst);
    default:
      return createSlidingWindow(shape.limit, shape.windowMs);
  }
}
