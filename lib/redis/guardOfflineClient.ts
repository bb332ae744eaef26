import type { RedisScriptClient } from "./RedisScriptClient.js";

/** ioredis statuses in which a command would only wait in the offline queue. */
const OFFLINE_STATUSES = new Set(["reconnecting", "close", "end"]);

/**
 * Wraps a client so that, while an ioredis client reports a lost connection (`status` is
 * `reconnecting`, `close` or `end`), calls fail at once instead of joining ioredis's offline
 * queue. Queued commands would wait for the handler's store timeout and then still run when the
 * connection returns, taking slots nobody uses. Clients without a `status` are passed through unchanged.
 * @param client - The user's client.
 */
export function guardOfflineClient(client: RedisScriptClient): RedisScriptClient {
  const offline = (): Error | undefined => {
    const status = (client as { status?: unknown }).status;
    return typeof status === "string" && OFFLINE_STATUSES.has(status) ? new Error(`Redis connection is ${status}`) : undefined;
  };
  return {
    evalsha: (sha1, numkeys, ...args) => {
      const error = offline();
      return error === undefined ? client.evalsha(sha1, numkeys, ...args) : Promise.reject(error);
    },
    eval: (script, numkeys, ...args) => {
      const error = offline();
      return error === undefined ? client.eval(script, numkeys, ...args) : Promise.reject(error);
    },
  };
}
