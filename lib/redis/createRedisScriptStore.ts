import { randomUUID } from "node:crypto";
import type { RateChange, RefundRequest, ReserveRequest, ReserveResult, ThrottleStore } from "../throttle/ThrottleStore.js";
import { runLuaScript } from "./luaScript.js";
import type { RedisScriptClient } from "./RedisScriptClient.js";
import type { RedisKeyKind } from "./redisKeys.js";
import { refundScript } from "./scripts/refundScript.js";
import { reserveScript } from "./scripts/reserveScript.js";
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
 * every operation is atomic across processes. It has no timeouts or fallback of its own; errors
 * reject (see `createRedisThrottleStore` for those).
 * @param client - The user's Redis client.
 * @param settings - Key naming and expiry.
 */
export function createRedisScriptStore(client: RedisScriptClient, settings: RedisScriptStoreSettings): ThrottleStore {
  const { keyOf, expiryMarginMs, rateTtlMs } = settings;
  // Sorted-set members must be unique; the server time alone can repeat across processes.
  const instance = randomUUID().slice(0, 13);
  let sequence = 0;

  async function cooldownRemaining(key: string): Promise<number> {
    return toNumber(await runLuaScript(client, cooldownRemainingScript, [keyOf("cooldown", key)], []));
  }

  return {
    cooldownRemaining,

    async reserve(request: ReserveRequest): Promise<ReserveResult> {
      const keys = [keyOf("cooldown", request.cooldownKey)];
      const paceMs = request.pace !== undefined && request.pace.intervalMs > 0 ? request.pace.intervalMs : 0;
      if (request.pace !== undefined && paceMs > 0) keys.push(keyOf("pace", request.pace.key));
      const args: (string | number)[] = [`${instance}:${(sequence += 1)}`, paceMs, expiryMarginMs];
      for (const window of request.windows) {
        keys.push(keyOf("window", window.key));
        args.push(window.limit, window.windowMs);
      }
      const reply = await runLuaScript(client, reserveScript, keys, args);
      return parseReserveReply(reply);
    },

    async refund(request: RefundRequest): Promise<void> {
      if (request.windowKeys.length === 0) return;
      await runLuaScript(client, refundScript, request.windowKeys.map((key) => keyOf("window", key)), []);
    },

    async extendCooldown(key: string, durationMs: number): Promise<number> {
      const wanted = Math.ceil(durationMs);
      if (!(wanted > 0)) return cooldownRemaining(key);
      return toNumber(await runLuaScript(client, extendCooldownScript, [keyOf("cooldown", key)], [wanted]));
    },

    async readRate(key: string): Promise<number | undefined> {
      const reply = await runLuaScript(client, readRateScript, [keyOf("rate", key)], []);
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
      ];
      return toNumber(await runLuaScript(client, adjustRateScript, [keyOf("rate", key)], args));
    },
  };
}

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
  if (Array.isArray(reply) && reply[0] === 1) return { granted: true };
  if (Array.isArray(reply) && reply[0] === 0) {
    const reason = reply[2];
    if (reason === "cooldown" || reason === "budget" || reason === "pace") {
      return { granted: false, retryInMs: Math.max(1, toNumber(reply[1])), reason };
    }
  }
  throw new Error("Unexpected reply from the reserve script");
}
