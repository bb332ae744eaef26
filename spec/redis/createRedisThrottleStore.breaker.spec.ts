import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import type { Redis } from "ioredis";
import { CircuitBreakerHandler } from "../../lib/breaker/CircuitBreakerHandler.js";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { GraphClient } from "../../lib/client/CreateGraphClientOptions.js";
import { isCircuitOpenError } from "../../lib/errors/CircuitOpenError.js";
import { createRedisThrottleStore, type RedisThrottleStore } from "../../lib/redis/createRedisThrottleStore.js";
import { createTestToken, startGraphEmulator, staticTokenProvider, type GraphEmulator } from "../../lib/testing/index.js";
import type { BreakerPolicy } from "../../lib/throttle/BreakerStore.js";
import { connectRedis, deleteKeysWithPrefix, uniquePrefix } from "./support/redisTestEnv.js";

const TOKEN = createTestToken({ tenantId: "fleet-tenant", appId: "app-1" });

describe("redis/createRedisThrottleStore: circuit breaker (real Redis)", () => {
  const prefix = uniquePrefix("breaker");
  let connections: Redis[] = [];
  let stores: RedisThrottleStore[] = [];
  let emu: GraphEmulator | undefined;

  before(async () => {
    connections = await Promise.all([connectRedis(), connectRedis(), connectRedis()]);
    stores = connections.map((redis) => createRedisThrottleStore(redis, { keyPrefix: prefix }));
  });
  afterEach(async () => {
    await emu?.close();
    emu = undefined;
  });
  after(async () => {
    if (connections[0] !== undefined) await deleteKeysWithPrefix(connections[0], prefix);
    connections.forEach((redis) => redis.disconnect());
  });

  const store = (n: number): RedisThrottleStore => stores[n] as RedisThrottleStore;

  it("applies the same transitions as the memory store: threshold, one probe among racers, close or reopen", async () => {
    const policy: BreakerPolicy = { consecutiveFailures: 3, breakMs: 150 };
    expect(await store(0).recordBreaker("k1", "failure", false, policy)).to.deep.equal({ state: "closed", changed: false });
    expect(await store(1).recordBreaker("k1", "neutral", false, policy)).to.deep.equal({ state: "closed", changed: false });
    expect(await store(2).recordBreaker("k1", "failure", false, policy)).to.deep.equal({ state: "closed", changed: false });
    expect(await store(0).recordBreaker("k1", "failure", false, policy)).to.deep.equal({ state: "open", changed: true });
    const refused = await store(1).admitBreaker("k1", policy);
    expect(refused.admitted).to.equal(false);
    if (!refused.admitted) expect(refused.retryInMs).to.be.within(1, 150);
    await sleep(160);
    // Thirty callers on three connections race for the probe: exactly one gets it.
    const racers = await Promise.all(stores.flatMap((s) => Array.from({ length: 10 }, () => s.admitBreaker("k1", policy))));
    expect(racers.filter((a) => a.admitted && a.probe)).to.have.length(1);
    expect(racers.filter((a) => !a.admitted)).to.have.length(29);
    expect(await store(2).recordBreaker("k1", "failure", true, policy)).to.deep.equal({ state: "open", changed: true });
    await sleep(160);
    expect(await store(0).admitBreaker("k1", policy)).to.deep.equal({ admitted: true, probe: true });
    expect(await store(0).recordBreaker("k1", "success", true, policy)).to.deep.equal({ state: "closed", changed: true });
    expect(await store(1).admitBreaker("k1", policy)).to.deep.equal({ admitted: true, probe: false });
  });

  it("opens on the failure ratio of the sampling window", async () => {
    const policy: BreakerPolicy = { failureRatio: 0.5, minimumRequests: 4, samplingMs: 60_000, breakMs: 60_000 };
    for (const outcome of ["success", "failure", "success"] as const) await store(0).recordBreaker("k2", outcome, false, policy);
    expect((await store(1).recordBreaker("k2", "failure", false, policy)).state).to.equal("open");
    expect((await store(2).admitBreaker("k2", policy)).admitted).to.equal(false);
  });

  it("opens a fleet together: three clients on one Redis stop sending once the circuit opens", async () => {
    emu = await startGraphEmulator({ limits: false, faults: { unavailable: 1 } });
    const running = emu;
    const clients: GraphClient[] = stores.map((s) =>
      createGraphClient({
        authProvider: staticTokenProvider(TOKEN),
        baseUrl: running.url,
        customHosts: [running.host],
        fetchOptions: running.fetchOptions,
        retry: false,
        breaker: new CircuitBreakerHandler({ consecutiveFailures: 4, breakMs: 200, store: s }),
      }),
    );
    const results: unknown[] = [];
    for (let round = 0; round < 5; round += 1) {
      for (const client of clients) results.push(await client.softwareUpdateStatusSummary().get().catch((e: unknown) => e));
    }
    // Four failures across the fleet open it for every process: the other eleven calls are refused unsent.
    expect(running.stats().requests).to.equal(4);
    expect(results.filter(isCircuitOpenError)).to.have.length(11);
    running.setFaults(undefined);
    await sleep(220);
    const probes = await Promise.all(clients.map((c) => c.softwareUpdateStatusSummary().get().then(() => "ok", (e: unknown) => e)));
    expect(probes.filter((p) => p === "ok")).to.have.length(1);
    expect(running.stats().requests).to.equal(5);
    expect(await clients[1]?.softwareUpdateStatusSummary().get().then(() => "ok")).to.equal("ok");
  });
});
