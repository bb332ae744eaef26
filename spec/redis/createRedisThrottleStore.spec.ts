import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { Redis } from "ioredis";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import { createRedisThrottleStore, type RedisScriptClient, type RedisThrottleStoreOptions } from "../../lib/redis/index.js";
import { REDIS_THROTTLE_STORE_DEFAULTS } from "../../lib/redis/RedisThrottleStoreOptions.js";
import { guardedForTest } from "./support/guardedRedisStore.js";
import { connectRedis, deleteKeysWithPrefix, uniquePrefix } from "./support/redisTestEnv.js";
import { freePort, killAllRedisServers, startRedisServer, type RedisServerProcess } from "./support/redisServerProcess.js";

async function waitFor(condition: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
  return performance.now() - started;
}

/** Runs `count` calls `everyMs` apart, timing each; resolves when all have settled. */
async function traffic<T>(count: number, everyMs: number, call: (i: number) => Promise<T>) {
  const runs: Promise<{ value: T; ms: number }>[] = [];
  for (let i = 0; i < count; i += 1) {
    const started = performance.now();
    runs.push(call(i).then((value) => ({ value, ms: performance.now() - started })));
    await sleep(everyMs);
  }
  return Promise.all(runs);
}

const window = { key: "tenant-a:writes", limit: 1000, windowMs: 60_000 };
const request = { windows: [window], cooldownKey: "tenant-a" };

describe("redis/createRedisThrottleStore", () => {
  describe("options", () => {
    const client: RedisScriptClient = { evalsha: async () => null, eval: async () => null };
    const issuesOf = (options: unknown) => {
      try {
        createRedisThrottleStore(client, options as RedisThrottleStoreOptions);
      } catch (error) {
        expect(error).to.be.instanceOf(InvalidOptionsError);
        return (error as InvalidOptionsError).issues;
      }
      throw new Error("expected InvalidOptionsError");
    };

    it("rejects a value that is not a Redis client, and invalid values", () => {
      expect(() => createRedisThrottleStore({} as RedisScriptClient)).to.throw(InvalidOptionsError, /evalsha\(\) and eval\(\)/);
      expect(() => createRedisThrottleStore(client, { rateTtlMs: 0 })).to.throw(InvalidOptionsError, /rateTtlMs/);
      expect(() => createRedisThrottleStore(client, { expiryMarginMs: -1 })).to.throw(InvalidOptionsError, /expiryMarginMs/);
      expect(() => createRedisThrottleStore(client, { expiryMarginMs: Number.NaN })).to.throw(InvalidOptionsError, /expiryMarginMs/);
      expect(() => createRedisThrottleStore(client, { expiryMarginMs: 0 })).to.not.throw();
      expect(() => createRedisThrottleStore(client, { rateTtlMs: undefined, keyPrefix: undefined })).to.not.throw();
      expect(() => createRedisThrottleStore(client, { keyPrefix: 5 as unknown as string })).to.throw(InvalidOptionsError, /keyPrefix/);
    });

    it("rejects a misspelt option and suggests the real one", () => {
      expect(() => createRedisThrottleStore(client, { keyprefix: "x" } as RedisThrottleStoreOptions)).to.throw(
        InvalidOptionsError,
        "did you mean `keyPrefix`?",
      );
    });

    it("lists every problem in one error, and says where the outage options went", () => {
      expect(issuesOf({ keyPrefix: 1, rateTtlMs: -5, commandTimeoutMs: 100, onFallback: () => undefined })).to.deep.equal([
        { path: "commandTimeoutMs", message: "is no longer an option: outages are handled once, by ThrottleHandler: set its storeTimeoutMs" },
        { path: "onFallback", message: "is no longer an option: outages are handled once, by ThrottleHandler: set its onStoreFallback" },
        { path: "keyPrefix", message: "must be a string, got 1" },
        { path: "rateTtlMs", message: "must be a finite number > 0, got -5" },
      ]);
    });

    it("documents its defaults in one object", () => {
      expect(REDIS_THROTTLE_STORE_DEFAULTS).to.deep.equal({
        keyPrefix: "msgraph-sus:throttle:",
        expiryMarginMs: 1000,
        rateTtlMs: 600_000,
      });
    });
  });

  describe("with the shared Redis", () => {
    let redis: Redis;
    const prefix = uniquePrefix("store");
    before(async () => {
      redis = await connectRedis();
    });
    after(async () => {
      if (redis === undefined) return;
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
    });

    it("writes under the default prefix and the configured one", async () => {
      const unique = uniquePrefix("default-prefix");
      const store = createRedisThrottleStore(redis);
      try {
        await store.extendCooldown(unique, 5000);
        expect(await redis.pttl(`msgraph-sus:throttle:c:${unique}`)).to.be.greaterThan(4000);
      } finally {
        await redis.del(`msgraph-sus:throttle:c:${unique}`);
        await store.close();
      }
      const prefixed = createRedisThrottleStore(redis, { keyPrefix: prefix });
      expect(await prefixed.reserve(request)).to.include({ granted: true }); // grants carry a ticket now (for settle and refund)
      expect(await redis.zcard(`${prefix}w:tenant-a:writes`)).to.equal(1);
      await prefixed.close();
    });

    it("never closes the client it was given", async () => {
      const store = createRedisThrottleStore(redis, { keyPrefix: prefix });
      await store.readRate("x");
      await store.close();
      expect(redis.status).to.equal("ready");
      expect(await redis.ping()).to.equal("PONG");
    });

    it("rejects at once (no timeout, no fallback of its own) and names a key of the wrong type", async () => {
      const store = createRedisThrottleStore(redis, { keyPrefix: prefix });
      await redis.set(`${prefix}w:tenant-x:writes`, "not a sorted set");
      try {
        const error = await store.reserve({ windows: [{ key: "tenant-x:writes", limit: 5, windowMs: 1000 }], cooldownKey: "tenant-x" }).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(error?.message).to.equal(
          `WRONGTYPE in reserve: Redis key "${prefix}w:tenant-x:writes" holds a string, not the zset the store keeps there. ` +
            "Delete the key, or give the store a keyPrefix of its own.",
        );
      } finally {
        await redis.del(`${prefix}w:tenant-x:writes`);
      }
    });

    it("behind the handler's guard, stays on the fallback while a key has the wrong type, without flapping, and recovers once it is gone", async () => {
      const window = { key: "tenant-w:writes", limit: 1000, windowMs: 60_000 };
      const request = { windows: [window], cooldownKey: "tenant-w" };
      const windowKey = `${prefix}w:${window.key}`;
      let scriptCalls = 0;
      const counting: RedisScriptClient = {
        evalsha: (sha, numkeys, ...args) => ((scriptCalls += 1), redis.evalsha(sha, numkeys, ...args)),
        eval: (source, numkeys, ...args) => redis.eval(source, numkeys, ...args),
      };
      const { store, fallbacks, recoveries } = guardedForTest(createRedisThrottleStore(counting, { keyPrefix: prefix }), {
        timeoutMs: 500,
        probeIntervalMs: 20,
      });
      try {
        await redis.set(windowKey, "written by someone else");
        expect(await store.reserve(request)).to.include({ granted: true }); // grants carry a ticket now (for settle and refund)
        expect(store.usingFallback).to.equal(true);
        const callsAtFallback = scriptCalls;
        await sleep(300);
        // Probes ran (the real reserve script, failing each time), yet no recovery and no second outage.
        expect(scriptCalls - callsAtFallback).to.be.at.least(5);
        expect(recoveries).to.deep.equal([]);
        expect(fallbacks).to.have.length(1);
        expect(fallbacks[0]!.operation).to.equal("reserve");
        expect(fallbacks[0]!.error.message).to.include(`"${windowKey}" holds a string`);
        expect(store.usingFallback).to.equal(true);

        await redis.del(windowKey);
        await waitFor(() => recoveries.length === 1, 2000, "recovery");
        // The probe's own grant was given back.
        expect(await redis.zcard(windowKey)).to.equal(0);
        expect(await store.reserve(request)).to.include({ granted: true }); // grants carry a ticket now (for settle and refund)
        expect(await redis.zcard(windowKey)).to.equal(1);
        expect(fallbacks).to.have.length(1);
      } finally {
        await store.close();
        await redis.del(windowKey);
      }
    });

    it("recovers with a client that has only eval and evalsha, probing with the real script", async () => {
      let broken = true;
      const client: RedisScriptClient = {
        evalsha: (sha, numkeys, ...args) => (broken ? Promise.reject(new Error("ECONNREFUSED")) : redis.evalsha(sha, numkeys, ...args)),
        eval: (source, numkeys, ...args) => (broken ? Promise.reject(new Error("ECONNREFUSED")) : redis.eval(source, numkeys, ...args)),
      };
      const { store, recoveries } = guardedForTest(createRedisThrottleStore(client, { keyPrefix: prefix }), { timeoutMs: 250, probeIntervalMs: 20 });
      try {
        expect(await store.adjustRate("probe", { initial: 4, multiply: 0.5, min: 1, max: 10 })).to.equal(2);
        expect(store.usingFallback).to.equal(true);
        broken = false;
        await waitFor(() => recoveries.length === 1, 2000, "recovery");
        // The probe read the rate; it did not change it.
        expect(await redis.get(`${prefix}r:probe`)).to.equal(null);
        expect(await store.adjustRate("probe", { initial: 4, multiply: 0.5, min: 1, max: 10 })).to.equal(2);
        expect(await redis.get(`${prefix}r:probe`)).to.equal("2");
      } finally {
        await store.close();
      }
    });
  });

  describe("when its own Redis server stops and comes back", function () {
    this.timeout(15_000);
    let server: RedisServerProcess | undefined;
    let client: Redis | undefined;
    const prefix = uniquePrefix("outage");

    afterEach(async () => {
      client?.disconnect();
      // Also kills a server whose start never returned (its handle is not in `server`).
      killAllRedisServers();
      await server?.kill();
      client = undefined;
      server = undefined;
    });

    it("keeps answering through a crash, within the timeout, and goes back to Redis after a restart", async () => {
      const port = await freePort();
      server = await startRedisServer(port);
      // The user's client, with ioredis defaults (offline queue on); only reconnects are made quick.
      client = new Redis(server.url, { retryStrategy: () => 50 });
      client.on("error", () => undefined);
      const { store, fallbacks, recoveries } = guardedForTest(createRedisThrottleStore(client, { keyPrefix: prefix }), {
        timeoutMs: 150,
        probeIntervalMs: 100,
      });
      try {
        const before = await traffic(20, 2, () => store.reserve(request));
        expect(before.every((run) => run.value.granted)).to.equal(true);
        expect(await store.extendCooldown("cooling", 5000)).to.equal(5000);
        const watcher = await connectTo(server.url);
        expect(await watcher.zcard(`${prefix}w:tenant-a:writes`)).to.equal(20);
        watcher.disconnect();

        await server.kill();
        const during = await traffic(30, 15, (i) =>
          i % 3 === 0 ? store.cooldownRemaining("tenant-a").then(() => ({ granted: true as const })) : store.reserve(request),
        );
        // None lost, none hung: every call settled, none waited much past the timeout.
        expect(during).to.have.length(30);
        expect(Math.max(...during.map((run) => run.ms))).to.be.below(150 + 100);
        expect(during.every((run) => run.value.granted)).to.equal(true);
        expect(store.usingFallback).to.equal(true);
        expect(fallbacks).to.have.length(1);
        expect(fallbacks[0]!.error.message).to.not.include("@");
        // The fallback was kept warm: it knows the cooldown set in Redis before the crash.
        const cooldown = await store.cooldownRemaining("cooling");
        expect(cooldown).to.be.greaterThan(3000).and.at.most(5000);

        server = await startRedisServer(port);
        const recoveredAfter = await waitFor(() => recoveries.length === 1, 5000, "onRecover");
        expect(store.usingFallback).to.equal(false);
        expect(recoveries[0]!.outageMs).to.be.greaterThan(0);
        expect(fallbacks).to.have.length(1);
        // State goes to the (new, empty) Redis again; its script cache is empty, so EVALSHA falls back to EVAL.
        const check = await connectTo(server.url);
        // Calls in flight when Redis died may be resent by ioredis after the restart (a slot or two, never lost requests).
        const resent = await check.zcard(`${prefix}w:tenant-a:writes`);
        expect(resent).to.be.at.most(3);
        const after = await traffic(5, 2, () => store.reserve(request));
        expect(after.every((run) => run.value.granted)).to.equal(true);
        expect(await check.zcard(`${prefix}w:tenant-a:writes`)).to.equal(resent + 5);
        check.disconnect();
        expect(recoveredAfter).to.be.below(5000);
      } finally {
        await store.close();
      }
    });

    it("falls back when Redis stops answering (frozen) and returns when it answers again", async () => {
      server = await startRedisServer(await freePort());
      client = new Redis(server.url, { retryStrategy: () => 50 });
      client.on("error", () => undefined);
      const { store, fallbacks, recoveries } = guardedForTest(createRedisThrottleStore(client, { keyPrefix: prefix }), {
        timeoutMs: 100,
        probeIntervalMs: 100,
      });
      try {
        expect(await store.reserve(request)).to.include({ granted: true }); // grants carry a ticket now (for settle and refund)
        server.pause();
        const started = performance.now();
        const frozen = await Promise.all(Array.from({ length: 10 }, () => store.reserve(request)));
        expect(performance.now() - started).to.be.below(100 + 100);
        expect(frozen.every((result) => result.granted)).to.equal(true);
        expect(fallbacks).to.have.length(1);
        expect(fallbacks[0]!.error.message).to.equal("Throttle store did not answer reserve within 100 ms");
        expect(fallbacks[0]!.operation).to.equal("reserve");
        await sleep(300);
        expect(recoveries).to.have.length(0);
        server.resume();
        await waitFor(() => recoveries.length === 1, 3000, "onRecover");
        expect(await store.reserve(request)).to.include({ granted: true }); // grants carry a ticket now (for settle and refund)
        expect(store.usingFallback).to.equal(false);
      } finally {
        await store.close();
      }
    });
  });
});

async function connectTo(url: string): Promise<Redis> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on("error", () => undefined);
  await redis.ping();
  return redis;
}
