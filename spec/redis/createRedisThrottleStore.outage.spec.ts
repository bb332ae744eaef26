import { setTimeout as sleep } from "node:timers/promises";
import { Client, HTTPMessageHandler } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import { Redis } from "ioredis";
import { SecureAuthenticationHandler } from "../../lib/auth/SecureAuthenticationHandler.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import { createRedisThrottleStore } from "../../lib/redis/index.js";
import type { StoreFallbackEvent, StoreRecoverEvent } from "../../lib/throttle/StoreEvents.js";
import { createTestToken, startGraphEmulator, staticTokenProvider } from "../../lib/testing/index.js";
import type { GraphEmulator } from "../../lib/testing/types.js";
import { freePort, killAllRedisServers, startRedisServer, type RedisServerProcess } from "./support/redisServerProcess.js";
import { keysWithPrefix, uniquePrefix } from "./support/redisTestEnv.js";

describe("redis/createRedisThrottleStore under ThrottleHandler when Redis dies mid-run", function () {
  this.timeout(15_000);
  const prefix = uniquePrefix("handler-outage");
  let emulator: GraphEmulator | undefined;
  let server: RedisServerProcess | undefined;
  let redis: Redis | undefined;

  after(async () => {
    redis?.disconnect();
    killAllRedisServers();
    await server?.kill();
    await emulator?.close();
  });

  it("sends every PATCH through the outage, none lost or hung, and puts budgets back in Redis after recovery", async () => {
    emulator = await startGraphEmulator({ protocol: "http", limits: false });
    const port = await freePort();
    server = await startRedisServer(port);
    redis = new Redis(server.url, { retryStrategy: () => 50 });
    redis.on("error", () => undefined);
    const fallbacks: StoreFallbackEvent[] = [];
    const recoveries: StoreRecoverEvent[] = [];
    const store = createRedisThrottleStore(redis, { keyPrefix: prefix });
    const client = Client.initWithMiddleware({
      baseUrl: emulator.url,
      middleware: [
        new SecureAuthenticationHandler(staticTokenProvider(createTestToken({ tenantId: "contoso" })), { customHosts: [emulator.host] }),
        new ThrottleHandler({
          store,
          presets: false,
          budgets: [{ name: "writes", route: "/deviceManagement", methods: "write", scope: "tenant", limit: 1000, windowMs: 2000 }],
          // The one failure layer: one timeout, one probe, one set of events.
          storeTimeoutMs: 150,
          storeProbeIntervalMs: 100,
          onStoreFallback: (event) => fallbacks.push(event),
          onStoreRecover: (event) => recoveries.push(event),
        }),
        new HTTPMessageHandler(),
      ],
    });
    const patch = async (value: number): Promise<number> => {
      const started = performance.now();
      await client
        .api("/deviceManagement/softwareUpdateStatusSummary")
        .patch({ "@odata.type": "#microsoft.graph.softwareUpdateStatusSummary", compliantDeviceCount: value });
      return performance.now() - started;
    };
    // Grants recorded in the store's window keys (whatever names the handler gives them).
    const grantsIn = async (url: string): Promise<number> => {
      const reader = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
      reader.on("error", () => undefined);
      try {
        const keys = await keysWithPrefix(reader, `${prefix}w:`);
        expect(keys).to.have.length(1);
        return await reader.zcard(keys[0] as string);
      } finally {
        reader.disconnect();
      }
    };
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => patch(i)));
      expect(await grantsIn(server.url)).to.equal(20);

      await server.kill();
      const during: Promise<number>[] = [];
      for (let i = 0; i < 30; i += 1) {
        during.push(patch(100 + i));
        await sleep(10);
      }
      const durations = await Promise.all(during);
      expect(Math.max(...durations)).to.be.below(1000);
      // One outage, one event (two nested layers used to report it twice, with two timeouts).
      expect(fallbacks).to.have.length(1);
      expect(fallbacks[0]!.error.message).to.not.include("@");
      expect(recoveries).to.have.length(0);

      server = await startRedisServer(port);
      const deadline = performance.now() + 5000;
      while (recoveries.length === 0 && performance.now() < deadline) await sleep(10);
      expect(recoveries).to.have.length(1);
      expect(fallbacks).to.have.length(1);
      await Promise.all(Array.from({ length: 10 }, (_, i) => patch(200 + i)));
      expect(await grantsIn(server.url)).to.be.at.least(10);

      const applied = emulator.stats().applied;
      expect(applied).to.have.length(60);
      expect(new Set(applied.map((update) => update.patch.compliantDeviceCount)).size).to.equal(60);
    } finally {
      await store.close();
    }
  });
});
