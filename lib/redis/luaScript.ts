import { createHash } from "node:crypto";
import type { RedisScriptClient } from "./RedisScriptClient.js";

/** A Lua script with its SHA1, ready for `EVALSHA`. */
export interface LuaScript {
  /** The Lua source. */
  readonly source: string;
  /** SHA1 of the source, as Redis computes it for `EVALSHA`. */
  readonly sha: string;
}

/**
 * Wraps Lua source with its SHA1.
 * @param source - The Lua source.
 */
export function luaScript(source: string): LuaScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/**
 * Runs a script with `EVALSHA`, falling back to `EVAL` once when the server answers `NOSCRIPT`
 * (a new or restarted server, or `SCRIPT FLUSH`), as ioredis's `defineCommand` does, but without
 * adding methods to the user's client.
 * @param client - The user's Redis client.
 * @param script - The script to run.
 * @param keys - Every key the script touches (Redis Cluster routes by them).
 * @param args - The `ARGV` values.
 */
export async function runLuaScript(
  client: RedisScriptClient,
  script: LuaScript,
  keys: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  try {
    return await client.evalsha(script.sha, keys.length, ...keys, ...args);
  } catch (error) {
    if (!(error instanceof Error) || !error.message.includes("NOSCRIPT")) throw error;
    return client.eval(script.source, keys.length, ...keys, ...args);
  }
}
