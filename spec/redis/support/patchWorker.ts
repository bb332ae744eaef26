// One "instance" of a scaled-out backend, run as a child process by the multi-process spec.
// It sends PATCHes through ThrottleHandler with either the shared Redis store or its own memory
// store, when the parent says so on stdin, and prints one JSON line per run on stdout.
import { createInterface } from "node:readline";
import { Client, HTTPMessageHandler, type Middleware } from "@microsoft/microsoft-graph-client";
import { Redis } from "ioredis";
import { SecureAuthenticationHandler } from "../../../lib/auth/SecureAuthenticationHandler.js";
import { ResilientRetryHandler } from "../../../lib/retry/ResilientRetryHandler.js";
import { ThrottleHandler } from "../../../lib/throttle/ThrottleHandler.js";
import { createRedisThrottleStore, type RedisThrottleStore } from "../../../lib/redis/index.js";
import { MemoryThrottleStore } from "../../../lib/throttle/MemoryThrottleStore.js";
import type { ThrottleStore } from "../../../lib/throttle/ThrottleStore.js";
import { createTestToken, staticTokenProvider } from "../../../lib/testing/index.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`patchWorker needs ${name}`);
  return value;
};

const baseUrl = env("EMULATOR_URL");
const host = env("EMULATOR_HOST");
const count = Number(env("PATCH_COUNT"));
const limit = Number(env("BUDGET_LIMIT"));
const windowMs = Number(env("BUDGET_WINDOW_MS"));
const windowMarginMs = Number(env("WINDOW_MARGIN_MS"));
const token = createTestToken({ tenantId: env("TENANT"), appId: env("APP") });

const redis = new Redis(env("REDIS_URL"), { maxRetriesPerRequest: 1 });
redis.on("error", () => undefined);
const fallbacks: string[] = [];
const redisStore: RedisThrottleStore = createRedisThrottleStore(redis, { keyPrefix: env("KEY_PREFIX") });

function clientWith(store: ThrottleStore): Client {
  const middleware: Middleware[] = [
    new SecureAuthenticationHandler(staticTokenProvider(token), { customHosts: [host] }),
    new ResilientRetryHandler({ maxRetries: 10 }),
    new ThrottleHandler({
      store,
      presets: false,
      windowMarginMs,
      budgets: [{ name: "tenant-writes", route: "/deviceManagement", methods: "write", scope: "tenant", limit, windowMs }],
      // Generous: on a loaded 2-core test box a starved process must not be mistaken for a Redis outage.
      storeTimeoutMs: 1000,
      onStoreFallback: ({ error, operation }) => fallbacks.push(`${operation}: ${error.message}`),
    }),
    new HTTPMessageHandler(),
  ];
  return Client.initWithMiddleware({ middleware, baseUrl, customHosts: new Set([host]) });
}

const clients = { redis: clientWith(redisStore), memory: clientWith(new MemoryThrottleStore()) };

async function run(mode: "redis" | "memory"): Promise<void> {
  const client = clients[mode];
  const started = performance.now();
  const outcomes = await Promise.allSettled(
    Array.from({ length: count }, (_, i) =>
      client
        .api("/deviceManagement/softwareUpdateStatusSummary")
        .patch({ "@odata.type": "#microsoft.graph.softwareUpdateStatusSummary", compliantDeviceCount: i }),
    ),
  );
  const failed = outcomes.filter((outcome) => outcome.status === "rejected");
  const report = {
    mode,
    ok: outcomes.length - failed.length,
    failed: failed.length,
    firstError: failed[0] === undefined ? null : String((failed[0] as PromiseRejectedResult).reason),
    ms: performance.now() - started,
    fallbacks,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const command = line.trim();
  if (command === "run redis" || command === "run memory") {
    void run(command === "run redis" ? "redis" : "memory");
  } else if (command === "exit") {
    lines.close();
  }
});
lines.on("close", () => {
  void redisStore.close().then(() => redis.quit());
});
await redis.ping();
process.stdout.write("ready\n");
