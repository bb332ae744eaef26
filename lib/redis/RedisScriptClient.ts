/**
 * The part of a Redis client the store uses: `EVALSHA` and `EVAL` (an ioredis `Redis` or
 * `Cluster` fits, as does any client with the same promise-returning methods). The store never
 * connects, disconnects or reconfigures the client.
 */
export interface RedisScriptClient {
  /** Runs a cached script by its SHA1; rejects with a `NOSCRIPT` error when the server has not seen it. */
  evalsha(sha1: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
  /** Runs a script from its source (and caches it on the server). */
  eval(script: string, numkeys: number, ...args: (string | number)[]): Promise<unknown>;
}
