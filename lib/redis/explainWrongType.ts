import { luaScript, runLuaScript } from "./luaScript.js";
import type { RedisScriptClient } from "./RedisScriptClient.js";
import type { RedisKeyKind } from "./redisKeys.js";

/** A Redis key a script touches, with what the store keeps there. */
export interface TypedRedisKey {
  /** The full Redis key. */
  readonly key: string;
  /** What the store keeps in it. */
  readonly kind: RedisKeyKind;
}

/** The Redis type the store writes for each kind of key. */
const EXPECTED_TYPES: Record<RedisKeyKind, string> = { window: "zset", pace: "string", cooldown: "string", rate: "string", breaker: "hash" };

const KEY_TYPES_SCRIPT = luaScript(`
local types = {}
for i, key in ipairs(KEYS) do types[i] = redis.call('TYPE', key).ok end
return types
`);

/**
 * Whether Redis refused a command because a key holds another type than the command needs.
 * @param error - What a script call threw.
 */
export function isWrongTypeError(error: unknown): boolean {
  return error instanceof Error && error.message.includes("WRONGTYPE");
}

/**
 * Turns a `WRONGTYPE` failure into an error that names the offending key, what it holds and what
 * to do. Such a key (written by something else under our prefix) fails every call that touches it
 * until someone deletes it, so the message must say which one; Redis's own message does not.
 * @param client - The Redis client.
 * @param operation - The store operation that failed.
 * @param keys - The keys the operation touched.
 */
export async function explainWrongType(client: RedisScriptClient, operation: string, keys: readonly TypedRedisKey[]): Promise<Error> {
  let wrong: string[] = [];
  try {
    const types = (await runLuaScript(client, KEY_TYPES_SCRIPT, keys.map((k) => k.key), [])) as unknown[];
    wrong = keys
      .map((k, i) => ({ ...k, type: String(types[i]) }))
      .filter((k) => k.type !== "none" && k.type !== EXPECTED_TYPES[k.kind])
      .map((k) => `"${k.key}" holds a ${k.type}, not the ${EXPECTED_TYPES[k.kind]} the store keeps there`);
  } catch {
    // Only the diagnosis failed; the generic message below still names the keys.
  }
  const what = wrong.length > 0 ? wrong.join("; ") : `one of ${keys.map((k) => `"${k.key}"`).join(", ")} holds another type than the store keeps there`;
  return new Error(`WRONGTYPE in ${operation}: Redis key ${what}. Delete the key, or give the store a keyPrefix of its own.`);
}
