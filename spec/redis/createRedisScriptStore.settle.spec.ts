import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import type { Redis } from "ioredis";
import { createRedisScriptStore } from "../../lib/redis/createRedisScriptStore.js";
import { redisKeyBuilder } from "../../lib/redis/redisKeys.js";
import { connectRedis, deleteKeysWithPrefix, uniquePrefix } from "./support/redisTestEnv.js";

describe("redis/createRedisScriptStore: settle and refund by ticket (real Redis)", () => {
  const prefix = uniquePrefix("settle");
  let connections: Redis[] = [];

  const storeOn = (redis: Redis) => createRedisScriptStore(redis, { keyOf: redisKeyBuilder(prefix, undefined), expiryMarginMs: 1000, rateTtlMs: 60_000 });

  before(async () => {
    connections = await Promise.all([connectRedis(), connectRedis()]);
  });

  after(async () => {
    if (connections[0] !== undefined) await deleteKeysWithPrefix(connections[0], prefix);
    connections.forEach((redis) => redis.disconnect());
  });

  it("names each grant with a ticket, and settle moves it to the response time for every process", async () => {
    const [a, b] = connections.map(storeOn);
    const window = { key: "late-answer", limit: 1, windowMs: 300 };
    const grant = await a!.reserve({ windows: [window], cooldownKey: "settle" });
    expect(grant.granted).to.equal(true);
    const ticket = grant.granted ? grant.ticket : undefined;
    expect(ticket).to.be.a("string");
    await sleep(150); // the answer comes 150 ms after the grant
    await a!.settle({ ticket: ticket as string, windows: [window] });
    await sleep(170); // past one window after the grant, within one after the answer
    const refused = await b!.reserve({ windows: [window], cooldownKey: "settle" });
    expect(refused.granted).to.equal(false);
    if (!refused.granted) expect(refused.retryInMs).to.be.within(1, 150);
    const pttl = await connections[0]!.pttl(`${prefix}w:late-answer`);
    expect(pttl, "the key lives a window (plus margin) after the answer").to.be.greaterThan(1000);
  });

  it("a window's key expires no sooner than its longest keep: a grant or settle at a shorter window never shortens it", async () => {
    const [a, b] = connections.map(storeOn);
    const redis = connections[0]!;
    const key = `${prefix}w:keep`;
    // Slow start keeps its grants for 10 s while it counts them in a one-second window.
    const kept = await a!.reserve({ windows: [{ key: "keep", limit: 100, windowMs: 1000, keepMs: 10_000 }], cooldownKey: "keep" });
    if (!kept.granted || kept.ticket === undefined) throw new Error("expected a grant with a ticket");
    expect(await redis.pttl(key)).to.be.greaterThan(10_000);
    // Its answer settles at the one-second window; another process grants at it too.
    await a!.settle({ ticket: kept.ticket, windows: [{ key: "keep", limit: 100, windowMs: 1000 }] });
    expect((await b!.reserve({ windows: [{ key: "keep", limit: 100, windowMs: 1000 }], cooldownKey: "keep" })).granted).to.equal(true);
    // The key still lives 10 s (plus margin) from the first grant: a cooldown of a few seconds finds the burst.
    expect(await redis.pttl(key), "ms the key has left").to.be.greaterThan(9_000);
    expect(await redis.zcard(key)).to.equal(2);
  });

  it("settle takes off the window's margin, also when that places a grant before its grant time", async () => {
    const store = storeOn(connections[0]!);
    const window = { key: "margin", limit: 2, windowMs: 60_000, marginMs: 40 };
    const early = await store.reserve({ windows: [window], cooldownKey: "m" });
    const late = await store.reserve({ windows: [window], cooldownKey: "m" });
    if (!early.granted || !late.granted || early.ticket === undefined || late.ticket === undefined) throw new Error("expected grants with tickets");
    const key = `${prefix}w:margin`;
    const [earlyAt, lateAt] = await Promise.all([connections[0]!.zscore(key, early.ticket), connections[0]!.zscore(key, late.ticket)]);
    await sleep(100);
    await store.settle({ ticket: early.ticket, windows: [window] });
    const [redisSeconds, redisMicros] = await connections[0]!.time();
    const now = Number(redisSeconds) * 1000 + Number(redisMicros) / 1000;
    const moved = Number(await connections[0]!.zscore(key, early.ticket));
    expect(moved, "the answer's time less the 40 ms margin").to.be.within(now - 40 - 20, now - 40 + 1);
    expect(moved).to.be.greaterThan(Number(earlyAt) + 50);
    // A margin longer than the wait for the answer: the answer alone bounds when the server counted it.
    await store.settle({ ticket: late.ticket, windows: [{ ...window, marginMs: 60_000 }] });
    expect(Number(await connections[0]!.zscore(key, late.ticket))).to.be.below(Number(lateAt) - 59_000);
  });

  it("settle of a grant no longer held adds nothing", async () => {
    const store = storeOn(connections[0]!);
    const window = { key: "gone", limit: 2, windowMs: 60_000 };
    await store.settle({ ticket: "no-such-member", windows: [window] });
    expect(await connections[0]!.zcard(`${prefix}w:gone`)).to.equal(0);
  });

  it("refund with a ticket removes that grant, not the newest (settled) one", async () => {
    const store = storeOn(connections[0]!);
    const window = { key: "refund-ticket", limit: 3, windowMs: 60_000 };
    const first = await store.reserve({ windows: [window], cooldownKey: "r" });
    const second = await store.reserve({ windows: [window], cooldownKey: "r" });
    await sleep(5);
    if (!first.granted || !second.granted || first.ticket === undefined || second.ticket === undefined) throw new Error("expected grants with tickets");
    await store.settle({ ticket: first.ticket, windows: [window] }); // first is now the newest entry
    await store.refund({ windowKeys: [window.key], ticket: second.ticket });
    const members = await connections[0]!.zrange(`${prefix}w:refund-ticket`, "0", "-1");
    expect(members).to.deep.equal([first.ticket]);
  });

  it("counts a window's grants, the refunded ones left out, only while the cooldown holds, for every process", async () => {
    const [a, b] = connections.map(storeOn);
    const window = { key: "fleet-burst", limit: 10, windowMs: 5000 };
    const grants = [];
    for (let i = 0; i < 6; i += 1) grants.push(await (i % 2 === 0 ? a! : b!).reserve({ windows: [window], cooldownKey: "fleet-cool" }));
    const count = { windowKey: window.key, spanMs: 5000, cooldownKey: "fleet-cool" };
    expect(await a!.countGrants(count), "no cooldown").to.equal(undefined);
    await b!.extendCooldown("fleet-cool", 2000);
    expect(await a!.countGrants(count)).to.equal(6);
    const refused = grants[5];
    if (refused === undefined || !refused.granted || refused.ticket === undefined) throw new Error("expected a grant with a ticket");
    await b!.refund({ windowKeys: [window.key], ticket: refused.ticket });
    expect(await a!.countGrants(count), "the refused grant given back by the other process").to.equal(5);
    await sleep(60);
    expect(await b!.countGrants({ ...count, spanMs: 30 }), "only grants within the span").to.equal(0);
  });
});
