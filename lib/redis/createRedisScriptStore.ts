import { randomUUID } from "node:crypto";
import type { CountRequest, RateChange, RefundRequest, ReserveRequest, ReserveResult, SettleRequest, ThrottleStore } from "../throttle/ThrottleStore.js";
import type { BreakerAdmission, BreakerOutcome, BreakerPolicy, BreakerState, BreakerStore, BreakerTransition } from "../throttle/BreakerStore.js";
import { admitBreakerScript, recordBreakerScript } from "./scripts/breakerScripts.js";
import { explainWrongType, isWrongTypeError, type TypedRedisKey } from "./explainWrongType.js";
import { runLuaScript, type LuaScript } from "./luaScript.js";
import type { RedisScriptClient } from "./RedisScriptClient.js";
import type { RedisKeyKind } from "./redisKeys.js";
import type { StoreOperation } from "../throttle/storeCall.js";
import { countScript } from "./scripts/countScript.js";
import { refundScript } from "./scripts/refundScript.js";
import { reserveScript } from "./scripts/reserveScript.js";
import { settleScript } from "./scripts/settleScript.js";
import { cooldownRemainingScript, extendCooldownScript } from "./scripts/cooldownScripts.js";
import { adjustRateScript, readRateScript } from "./scripts/rateScripts.js";

/** Settings of {@link createRedisScriptStore}, already defaulted. */
export interface RedisScriptStoreSettings {
  /** Maps a store key to its Redis key. */
  readonly keyOf: (kind: RedisKeyKind, key: string) => string;
  /** How long keys outlive their window or pace interval, in milliseconds. */
  readonly expiryMarginMs: number;
  /** How long an adaptive rate is kept after its last change, in milliseconds. */
  readonly rateTtlMs: number;
}

/**
 * A {@link ThrottleStore} whose state lives in Redis and changes only inside Lua scripts, so
 * every operation is atomic across processes. It has no timeouts or fallback of its own (the
 * handler's store guard has them); errors reject, and a key of the wrong type is named.
 * @param client - The user's Redis client.
 * @param settings - Key naming and expiry.
 */
export function createRedisScriptStore(
  client: RedisScriptClient,
  settings: RedisScriptStoreSettings,
): ThrottleStore & BreakerStore & { refund: NonNullable<ThrottleStore["refund"]>; settle: NonNullable<ThrottleStore["settle"]>; countGrants: NonNullable<ThrottleStore["countGrants"]> } {
  const { keyOf, expiryMarginMs, rateTtlMs } = settings;
  // Sorted-set members must be unique; the server time alone can repeat across processes.
  const instance = randomUUID().slice(0, 13);
  let sequence = 0;

  const typed = (kind: RedisKeyKind, key: string): TypedRedisKey => ({ kind, key: keyOf(kind, key) });

  /** Runs one script; a `WRONGTYPE` refusal becomes an error naming the key. */
  async function run(
    operation: StoreOperation | "admitBreaker" | "recordBreaker",
    script: LuaScript,
    keys: readonly TypedRedisKey[],
    args: readonly (string | number)[],
  ): Promise<unknown> {
    try {
      return await runLuaScript(client, script, keys.map((k) => k.key), args);
    } catch (error) {
      throw isWrongTypeError(error) ? await explainWrongType(client, operation, keys) : error;
    }
  }

  async function cooldownRemaining(key: string): Promise<number> {
    return toNumber(await run("cooldownRemaining", cooldownRemainingScript, [typed("cooldown", key)], []));
  }

  return {
    cooldownRemaining,

    async reserve(request: ReserveRequest): Promise<ReserveResult> {
      const keys = [typed("cooldown", request.cooldownKey)];
      const paceMs = request.pace !== undefined && request.pace.intervalMs > 0 ? request.pace.intervalMs : 0;
      if (request.pace !== undefined && paceMs > 0) keys.push(typed("pace", request.pace.key));
      const args: (string | number)[] = [`${instance}:${(sequence += 1)}`, paceMs, expiryMarginMs];
      for (const window of request.windows) {
        keys.push(typed("window", window.key));
        args.push(window.limit, window.windowMs, window.keepMs ?? window.windowMs);
      }
      return parseReserveReply(await run("reserve", reserveScript, keys, args));
    },

    async refund(request: RefundRequest): Promise<void> {
      if (request.windowKeys.length === 0) return;
      await run("refund", refundScript, request.windowKeys.map((key) => typed("window", key)), [request.ticket ?? ""]);
    },

    async settle(request: SettleRequest): Promise<void> {
      if (request.windows.length === 0) return;
      const keys = request.windows.map((window) => typed("window", window.key));
      await run("settle", settleScript, keys, [
        request.ticket,
        expiryMarginMs,
        ...request.windows.map((window) => window.windowMs),
        ...request.windows.map((window) => window.marginMs ?? 0),
      ]);
    },

    async countGrants(request: CountRequest): Promise<number | undefined> {
      const count = toNumber(await run("countGrants", countScript, [typed("cooldown", request.cooldownKey), typed("window", request.windowKey)], [request.spanMs]));
      return count < 0 ? undefined : count;
    },

    async extendCooldown(key: string, durationMs: number): Promise<number> {
      const wanted = Math.ceil(durationMs);
      if (!(wanted > 0)) return cooldownRemaining(key);
      return toNumber(await run("extendCooldown", extendCooldownScript, [typed("cooldown", key)], [wanted]));
    },

    async readRate(key: string): Promise<number | undefined> {
      const reply = await run("readRate", readRateScript, [typed("rate", key)], []);
      return reply === null || reply === undefined ? undefined : toNumber(reply);
    },

    async adjustRate(key: string, change: RateChange): Promise<number> {
      const args = [
        finite(change.initial),
        finite(change.multiply ?? 1),
        finite(change.add ?? 0),
        change.set === undefined ? "" : finite(change.set),
        finite(change.min),
        finite(change.max),
        Math.max(1, Math.ceil(rateTtlMs)),
        change.onlyIf === undefined ? "" : finite(change.onlyIf),
      ];
      return toNumber(await run("adjustRate", adjustRateScript, [typed("rate", key)], args));
    },

    async admitBreaker(key: string, policy: BreakerPolicy): Promise<BreakerAdmission> {
      const reply = await run("admitBreaker", admitBreakerScript, [typed("breaker", key)], [Math.ceil(policy.breakMs), expiryMarginMs]);
      if (Array.isArray(reply) && reply[0] === 1) return { admitted: true, probe: reply[1] === 1 };
      return { admitted: false, retryInMs: Math.max(1, toNumber(Array.isArray(reply) ? reply[1] : reply)) };
    },

    async recordBreaker(key: string, outcome: BreakerOutcome, probe: boolean, policy: BreakerPolicy): Promise<BreakerTransition> {
      const optional = (value: number | undefined): string | number => (value === undefined ? "" : value);
      const args = [
        outcome,
        probe ? 1 : 0,
        optional(policy.consecutiveFailures),
        optional(policy.failureRatio),
        policy.minimumRequests ?? 1,
        optional(policy.samplingMs === undefined ? undefined : Math.ceil(policy.samplingMs)),
        Math.ceil(policy.breakMs),
        expiryMarginMs,
      ];
      const reply = await run("recordBreaker", recordBreakerScript, [typed("breaker", key)], args);
      if (!Array.isArray(reply) || !BREAKER_STATES.has(String(reply[0]))) throw new Error(`Unexpected reply from the breaker script: ${String(reply).slice(0, 40)}`);
      return { state: String(reply[0]) as BreakerState, changed: reply[1] === 1 };
    },
  };
}

const BREAKER_STATES: ReadonlySet<string> = new Set(["closed", "open", "half-open"]);

/** Lua cannot read `Infinity`; the largest double clamps the same way. */
function finite(value: number): number {
  if (value === Infinity) return Number.MAX_VALUE;
  if (value === -Infinity) return -Number.MAX_VALUE;
  return value;
}

function toNumber(reply: unknown): number {
  const value = typeof reply === "number" ? reply : Number(String(reply));
  if (Number.isNaN(value)) throw new Error(`Unexpected reply from a throttle script: ${String(reply).slice(0, 40)}`);
  return value;
}

function parseReserveReply(reply: unknown): ReserveResult {
  if (Array.isArray(reply) && reply[0] === 1) {
    const used = typeof reply[2] === "number" ? reply[2] : undefined;
    const oldestAgeMs = typeof reply[3] === "string" ? Number(reply[3]) : Number.NaN;
    if (typeof reply[1] !== "string") return { granted: true };
    if (used === undefined) return { granted: true, ticket: reply[1] };
    return Number.isFinite(oldestAgeMs) ? { granted: true, ticket: reply[1], used, oldestAgeMs } : { granted: true, ticket: reply[1], used };
  }
  if (Array.isArray(reply) && reply[0] === 0) {
    const reason = reply[2];
    if (reason === "cooldown" || reason === "budget" || reason === "pace") {
      return { granted: false, retryInMs: Math.max(1, toNumber(reply[1])), reason };
    }
  }
  throw new Error("Unexpected reply from the reserve script");
}
