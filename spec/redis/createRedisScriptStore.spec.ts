import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import type { Redis } from "ioredis";
import sinon from "sinon";
import { createRedisScriptStore } from "../../lib/redis/createRedisScriptStore.js";
import { redisKeyBuilder } from "../../lib/redis/redisKeys.js";
import type { ReserveResult, ThrottleStore } from "../../lib/throttle/ThrottleStore.js";
import { connectRedis, deleteKeysWithPrefix, keysWithPrefix, uniquePrefix } from "./support/redisTestEnv.js";

describe("redis/createRedisScriptStore (real Redis)", () => {
  const prefix = uniquePrefix("script-store");
  // Four connections stand for four processes sharing one Redis.
  let connections: Redis[] = [];
  let stores: ThrottleStore[] = [];

  const storeOn = (redis: Redis, expiryMarginMs = 1000, rateTtlMs = 60_000) =>
    createRedisScriptStore(redis, { keyOf: redisKeyBuilder(prefix, undefined), expiryMarginMs, rateTtlMs });

  before(async () => {
    connections = await Promise.all([connectRedis(), connectRedis(), connectRedis(), connectRedis()]);
    stores = connections.map((redis) => storeOn(redis));
  });

  after(async () => {
    if (connections[0] !== undefined) await deleteKeysWithPrefix(connections[0], prefix);
    connections.forEach((redis) => redis.disconnect());
  });

  const first = () => stores[0] as ThrottleStore;
  const refused = (result: ReserveResult) => {
    if (result.granted) throw new Error("expected a refusal");
    return result;
  };

  it("grants exactly `limit` slots when 4 connections race with 200 concurrent reserves", async () => {
    const window = { key: "race", limit: 37, windowMs: 60_000 };
    const results = await Promise.all(
      stores.flatMap((store) => Array.from({ length: 50 }, () => store.reserve({ windows: [window], cooldownKey: "race" }))),
    );
    const granted = results.filter((result) => result.granted).length;
    expect(granted).to.equal(37);
    for (const result of results.filter((r) => !r.granted)) {
      const refusal = refused(result);
      expect(refusal.reason).to.equal("budget");
      expect(refusal.retryInMs).to.be.greaterThan(59_000).and.at.most(60_000);
    }
    expect(await connections[0]!.zcard(`${prefix}w:race`)).to.equal(37);
  });

  it("takes a slot in every window or in none", async () => {
    const tenant = { key: "all-or-none:tenant", limit: 5, windowMs: 60_000 };
    const app = { key: "all-or-none:app", limit: 3, windowMs: 60_000 };
    for (let i = 0; i < 3; i += 1) {
      expect((await first().reserve({ windows: [tenant, app], cooldownKey: "aon" })).granted).to.equal(true);
    }
    const result = refused(await first().reserve({ windows: [tenant, app], cooldownKey: "aon" }));
    expect(result.reason).to.equal("budget");
    // The refused call left the tenant window untouched: 3 of 5 used, so two more fit.
    expect(await connections[1]!.zcard(`${prefix}w:all-or-none:tenant`)).to.equal(3);
    expect((await stores[1]!.reserve({ windows: [tenant], cooldownKey: "aon" })).granted).to.equal(true);
    expect((await stores[2]!.reserve({ windows: [tenant], cooldownKey: "aon" })).granted).to.equal(true);
    expect((await stores[3]!.reserve({ windows: [tenant], cooldownKey: "aon" })).granted).to.equal(false);
  });

  it("answers a full sliding window with the time until its oldest grant leaves, then grants again", async () => {
    const window = { key: "slide", limit: 2, windowMs: 300 };
    expect((await first().reserve({ windows: [window], cooldownKey: "slide" })).granted).to.equal(true);
    await sleep(100);
    expect((await stores[1]!.reserve({ windows: [window], cooldownKey: "slide" })).granted).to.equal(true);
    const result = refused(await stores[2]!.reserve({ windows: [window], cooldownKey: "slide" }));
    expect(result.reason).to.equal("budget");
    // The first grant is ~100 ms old, so it leaves in ~200 ms (not 300: the window slides).
    expect(result.retryInMs).to.be.greaterThan(100).and.at.most(200);
    await sleep(result.retryInMs + 5);
    expect((await stores[3]!.reserve({ windows: [window], cooldownKey: "slide" })).granted).to.equal(true);
    // The second grant (~200 ms old) still fills the window with the new one.
    expect((await first().reserve({ windows: [window], cooldownKey: "slide" })).granted).to.equal(false);
  });

  it("counts a request over a shorter span without dropping the grants the others still count (keepMs: a window probe)", async () => {
    const window = { key: "probe", limit: 3, windowMs: 600 };
    for (const store of stores.slice(0, 3)) expect((await store.reserve({ windows: [window], cooldownKey: "probe" })).granted).to.equal(true);
    await sleep(350);
    // Counted over 300 ms, the three grants are out of the span: a probe is granted.
    const granted = await stores[3]!.reserve({ windows: [{ ...window, windowMs: 300, keepMs: 600 }], cooldownKey: "probe" });
    expect(granted.granted).to.equal(true);
    if (granted.granted) expect(granted.used, "the probe's span holds only itself").to.equal(1);
    // The learned window still holds the first grants: nothing goes early for the others.
    const regular = refused(await stores[1]!.reserve({ windows: [window], cooldownKey: "probe" }));
    expect(regular.retryInMs, "an early grant leaves 600 ms after it was made").to.be.greaterThan(150).and.at.most(250);
    // Without keepMs, a request counted over 300 ms drops what is older: the others' slots free early.
    expect((await stores[2]!.reserve({ windows: [{ ...window, windowMs: 300 }], cooldownKey: "probe" })).granted).to.equal(true);
    expect((await stores[1]!.reserve({ windows: [window], cooldownKey: "probe" })).granted, "a slot the server still counts").to.equal(true);
  });

  it("paces grants `intervalMs` apart across connections", async () => {
    const pace = { key: "pace", intervalMs: 250 };
    expect((await first().reserve({ windows: [], pace, cooldownKey: "pace" })).granted).to.equal(true);
    const result = refused(await stores[1]!.reserve({ windows: [], pace, cooldownKey: "pace" }));
    expect(result.reason).to.equal("pace");
    expect(result.retryInMs).to.be.greaterThan(200).and.at.most(250);
    await sleep(result.retryInMs + 5);
    expect((await stores[2]!.reserve({ windows: [], pace, cooldownKey: "pace" })).granted).to.equal(true);
  });

  it("reports the longest wait when several limits refuse", async () => {
    const window = { key: "longest", limit: 1, windowMs: 5_000 };
    const pace = { key: "longest", intervalMs: 300 };
    expect((await first().reserve({ windows: [window], pace, cooldownKey: "longest" })).granted).to.equal(true);
    const result = refused(await first().reserve({ windows: [window], pace, cooldownKey: "longest" }));
    expect(result.reason).to.equal("budget");
    expect(result.retryInMs).to.be.greaterThan(4_500);
  });

  it("shares a sub-second cooldown between connections in milliseconds", async () => {
    expect(await first().extendCooldown("cool", 1200)).to.equal(1200);
    const remaining = await stores[1]!.cooldownRemaining("cool");
    expect(remaining).to.be.greaterThan(1100).and.at.most(1200);
    const result = refused(await stores[2]!.reserve({ windows: [{ key: "cool", limit: 100, windowMs: 1000 }], cooldownKey: "cool" }));
    expect(result.reason).to.equal("cooldown");
    expect(result.retryInMs).to.be.greaterThan(1100).and.at.most(1200);
    // Never shortened; extended when longer.
    expect(await stores[3]!.extendCooldown("cool", 300)).to.be.greaterThan(1100);
    expect(await stores[3]!.extendCooldown("cool", 2500.2)).to.equal(2501);
    expect(await first().cooldownRemaining("cool")).to.be.greaterThan(2400).and.at.most(2501);
    expect(await first().cooldownRemaining("no-such-cooldown")).to.equal(0);
    expect(await first().extendCooldown("zero", 0)).to.equal(0);
  });

  it("uses the Redis server clock, not the client's", async () => {
    const clock = sinon.useFakeTimers({ now: Date.UTC(2001, 0, 1), toFake: ["Date"] });
    try {
      const window = { key: "skew", limit: 1, windowMs: 10_000 };
      expect((await first().reserve({ windows: [window], cooldownKey: "skew" })).granted).to.equal(true);
      clock.setSystemTime(Date.UTC(2040, 0, 1));
      const result = refused(await stores[1]!.reserve({ windows: [window], cooldownKey: "skew" }));
      expect(result.retryInMs).to.be.greaterThan(9_000).and.at.most(10_000);
    } finally {
      clock.restore();
    }
  });

  it("sets TTLs a margin past each window, pace and cooldown, so the keys disappear", async () => {
    const store = storeOn(connections[0]!, 50, 400);
    await store.reserve({ windows: [{ key: "ttl", limit: 5, windowMs: 150 }], pace: { key: "ttl", intervalMs: 100 }, cooldownKey: "ttl" });
    await store.extendCooldown("ttl", 120);
    await store.adjustRate("ttl", { initial: 10, multiply: 0.5, min: 1, max: 100 });
    const redis = connections[0]!;
    expect(await redis.pttl(`${prefix}w:ttl`)).to.be.greaterThan(150).and.at.most(200);
    expect(await redis.pttl(`${prefix}p:ttl`)).to.be.greaterThan(100).and.at.most(150);
    expect(await redis.pttl(`${prefix}c:ttl`)).to.be.greaterThan(50).and.at.most(120);
    expect(await redis.pttl(`${prefix}r:ttl`)).to.be.greaterThan(300).and.at.most(400);
    await sleep(450);
    const left = (await keysWithPrefix(redis, prefix)).filter((key) => key.endsWith(":ttl"));
    expect(left).to.deep.equal([]);
  });

  it("adds to an adaptive rate atomically under 200 concurrent changes from 4 connections", async () => {
    expect(await first().readRate("add")).to.equal(undefined);
    await Promise.all(
      stores.flatMap((store) => Array.from({ length: 50 }, () => store.adjustRate("add", { initial: 0, add: 1, min: 0, max: 1e9 }))),
    );
    expect(await first().readRate("add")).to.equal(200);
  });

  it("multiplies an adaptive rate atomically and keeps doubles exact", async () => {
    await Promise.all(
      stores.flatMap((store) => Array.from({ length: 25 }, () => store.adjustRate("mul", { initial: 1, multiply: 2, min: 0, max: Infinity }))),
    );
    expect(await stores[2]!.readRate("mul")).to.equal(2 ** 100);
    expect(await first().adjustRate("mul", { initial: 1, multiply: 0.1, min: 0, max: Infinity })).to.equal(2 ** 100 * 0.1);
  });

  it("applies an increase with onlyIf once when 4 connections race with the same expected rate", async () => {
    const results = await Promise.all(
      stores.flatMap((store) => Array.from({ length: 10 }, () => store.adjustRate("cas", { initial: 20, onlyIf: 20, multiply: 2, min: 1, max: 1e6 }))),
    );
    // Nothing was stored: `initial` counted as the rate, so exactly one doubling went through.
    expect(new Set(results)).to.deep.equal(new Set([40]));
    expect(await first().readRate("cas")).to.equal(40);
    // A decrease meanwhile wins over an increase sent against the old rate; the answer is the rate as it is.
    expect(await stores[1]!.adjustRate("cas", { initial: 40, set: 12.5, min: 1, max: 1e6 })).to.equal(12.5);
    expect(await stores[2]!.adjustRate("cas", { initial: 40, onlyIf: 40, multiply: 2, min: 1, max: 1e6 })).to.equal(12.5);
    expect(await stores[3]!.adjustRate("cas", { initial: 12.5, onlyIf: 12.5, add: 1, min: 1, max: 1e6 })).to.equal(13.5);
  });

  it("answers each grant with every connection's use of the first window", async () => {
    const window = { key: "used", limit: 10, windowMs: 60_000 };
    const other = { key: "used:other", limit: 10, windowMs: 60_000 };
    const uses: number[] = [];
    const ages: number[] = [];
    for (let i = 0; i < 4; i++) {
      const result = await stores[i]!.reserve({ windows: [window, other], cooldownKey: "used" });
      if (!result.granted) throw new Error("expected a grant");
      uses.push(result.used ?? -1);
      ages.push(result.oldestAgeMs ?? -1);
      await sleep(30);
    }
    expect(uses).to.deep.equal([1, 2, 3, 4]);
    // The age of the first connection's grant, by the Redis server's clock.
    expect(ages[0]).to.equal(0);
    expect(ages[3]).to.be.within(85, 200);
    expect(ages[1]! < ages[2]! && ages[2]! < ages[3]!).to.equal(true);
  });

  it("clamps adaptive rates and lets `set` replace them", async () => {
    const changes = Array.from({ length: 40 }, (_, i) => stores[i % 4]!.adjustRate("clamp", { initial: 50, multiply: 0.5, min: 2.5, max: 100 }));
    const values = await Promise.all(changes);
    expect(Math.min(...values)).to.equal(2.5);
    expect(await first().readRate("clamp")).to.equal(2.5);
    expect(await first().adjustRate("clamp", { initial: 50, set: 7.25, min: 1, max: 100 })).to.equal(7.25);
    expect(await first().adjustRate("clamp", { initial: 50, set: 700, min: 1, max: 100 })).to.equal(100);
    expect(await first().adjustRate("clamp", { initial: 50, add: -1000, min: -Infinity, max: 100 })).to.equal(-900);
  });

  it("refunds the newest grant of each window atomically, so exactly that many slots come back", async () => {
    const window = { key: "refund:tenant", limit: 4, windowMs: 60_000 };
    for (let i = 0; i < 4; i += 1) expect((await first().reserve({ windows: [window], cooldownKey: "rf" })).granted).to.equal(true);
    expect((await first().reserve({ windows: [window], cooldownKey: "rf" })).granted).to.equal(false);
    // Two refunds from two connections, then three processes race for the freed slots.
    await Promise.all([stores[1]!.refund!({ windowKeys: [window.key] }), stores[2]!.refund!({ windowKeys: [window.key] })]);
    expect(await connections[0]!.zcard(`${prefix}w:refund:tenant`)).to.equal(2);
    const race = await Promise.all(stores.map((store) => store.reserve({ windows: [window], cooldownKey: "rf" })));
    expect(race.filter((r) => r.granted)).to.have.length(2);
  });
});
