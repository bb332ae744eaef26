import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

/** The Redis the tests use: `REDIS_URL`, or 127.0.0.1:6379. */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

const HOW_TO_START = 'start it with: redis-server --daemonize yes --port 6379 --save "" --appendonly no (or set REDIS_URL)';

/**
 * Opens a connection that fails fast instead of queueing, and fails the test with a message
 * saying how to start Redis when it is unreachable (never a silent skip).
 */
export async function connectRedis(): Promise<Redis> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null, connectTimeout: 2000 });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    redis.disconnect();
    throw new Error(`Redis is not reachable at ${REDIS_URL} (${(error as Error).message}); ${HOW_TO_START}`, { cause: error });
  }
  return redis;
}

/** A key prefix unique to this test run, so parallel runs and leftovers never collide. */
export function uniquePrefix(label: string): string {
  return `msgraph-sus-test:${label}:${randomUUID().slice(0, 8)}:`;
}

/** Every key under a prefix (SCAN, not KEYS, as in production code). */
export async function keysWithPrefix(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== "0");
  return found;
}

/** Deletes every key under a prefix. */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysWithPrefix(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
}
