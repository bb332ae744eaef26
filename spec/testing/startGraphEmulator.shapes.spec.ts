import { expect } from "chai";
import { createTestToken, type EmulatorLimit, type EmulatorRateLimit, type GraphEmulator } from "../../lib/testing/index.js";
import { monotonicNow } from "../../lib/chain/monotonicNow.js";
import { call, SUMMARY, useEmulators, wait } from "./support/helpers.js";

const BETA = "beta/deviceManagement/softwareUpdateStatusSummary";
const rate = (name: string, limit: number, windowMs: number, extra: Partial<EmulatorRateLimit> = {}): EmulatorLimit => ({
  name,
  requests: "any",
  scope: "tenant",
  limit,
  windowMs,
  ...extra,
});
const statuses = (results: { status: number }[]): number[] => results.map((r) => r.status).sort();
// Opens `n` connections first (unknown paths meet no limit), so bursts are not slowed by TLS handshakes.
const warmUp = (emu: GraphEmulator, n: number) => Promise.all(Array.from({ length: n }, () => call(emu, { path: "v1.0/warm-up" })));
const retryAfterMs = (result: { headers: Headers }): number => Number(result.headers.get("retry-after")) * 1000;

describe("testing/startGraphEmulator: limit shapes (over HTTPS)", () => {
  const emulator = useEmulators();

  it("fixed window: the count resets at the window's boundary, and Retry-After points at that boundary", async () => {
    const windowMs = 400;
    const emu = await emulator({ limits: [rate("fixed", 2, windowMs, { algorithm: "fixed-window" })], retryAfterFormat: "fractional-seconds" });
    await warmUp(emu, 2);
    // Start just after a boundary of the emulator's clock (the same clock: one process).
    await wait(windowMs - (monotonicNow() % windowMs) + 5);
    expect((await call(emu)).status).to.equal(200);
    await wait(100);
    expect((await call(emu)).status).to.equal(200);
    const refusedAt = monotonicNow();
    const refused = await call(emu);
    expect(refused.status).to.equal(429);
    // A sliding window would ask for about 300 ms (one window after the first); the boundary is nearer.
    const toBoundary = windowMs - (refusedAt % windowMs);
    expect(retryAfterMs(refused)).to.be.within(toBoundary - 50, toBoundary + 1);
    await wait(retryAfterMs(refused));
    // A fresh window: both places are free at once, although the second request is younger than one window.
    expect(statuses(await Promise.all([call(emu), call(emu), call(emu)]))).to.deep.equal([200, 200, 429]);
    expect(emu.stats().limits.fixed).to.deep.equal({ algorithm: "fixed-window", limit: 2, windowMs, burst: undefined, counted: 4, throttled: 2 });
  });

  it("token bucket: a burst up to its capacity, then a smooth rate", async () => {
    // 5 per second (one token every 200 ms), capacity 3.
    const emu = await emulator({
      limits: [rate("bucket", 5, 1000, { algorithm: "token-bucket", burst: 3, retryAfter: "fractional-seconds" })],
    });
    await warmUp(emu, 5);
    const burst = await Promise.all(Array.from({ length: 5 }, () => call(emu)));
    expect(statuses(burst)).to.deep.equal([200, 200, 200, 429, 429]);
    const refused = burst.filter((r) => r.status === 429);
    for (const result of refused) expect(retryAfterMs(result)).to.be.within(1, 200);
    await wait(Math.max(...refused.map(retryAfterMs)));
    expect((await call(emu)).status).to.equal(200);
    // One token was spent as soon as it refilled: the next is up to 200 ms away.
    const next = await call(emu);
    expect(next.status).to.equal(429);
    expect(retryAfterMs(next)).to.be.within(100, 200);
    expect(emu.stats().limits.bucket).to.deep.include({ algorithm: "token-bucket", limit: 5, windowMs: 1000, burst: 3, counted: 4, throttled: 3 });
  });

  it("concurrency: more than `limit` requests in flight per app get 429, other apps are untouched", async () => {
    const emu = await emulator({
      limits: [{ name: "in flight", algorithm: "concurrency", requests: "any", scope: "app", limit: 2, retryAfter: "fractional-seconds" }],
      timeScale: 0.1,
    });
    const appA = createTestToken({ tenantId: "t", appId: "app-a" });
    const appB = createTestToken({ tenantId: "t", appId: "app-b" });
    await warmUp(emu, 6);
    // Every request now stays in flight for 300 ms.
    emu.setFaults({ latencyMs: 300 });
    const [a, b] = await Promise.all([
      Promise.all(Array.from({ length: 5 }, () => call(emu, { token: appA }))),
      call(emu, { token: appB }),
    ]);
    expect(statuses(a)).to.deep.equal([200, 200, 429, 429, 429]);
    expect(b.status).to.equal(200);
    const refused = a.find((r) => r.status === 429);
    expect(refused?.headers.get("x-emulator-throttled-by")).to.equal("in flight");
    // The wait a concurrency limit reports: 1 s, scaled by timeScale.
    expect(refused?.headers.get("retry-after")).to.equal("0.100");
    // Once the answers ended, the places are free again.
    expect(statuses(await Promise.all([call(emu, { token: appA }), call(emu, { token: appA })]))).to.deep.equal([200, 200]);
    expect(emu.stats().limits["in flight"]).to.deep.include({ algorithm: "concurrency", limit: 2, counted: 5, throttled: 3 });
  });

  it("writes each limit's own Retry-After: fixed whatever the wait, none, or the emulator's format by default", async () => {
    const emu = await emulator({
      limits: [
        rate("v1 fixed", 1, 20_000, { path: "/v1.0/", retryAfter: { fixedSeconds: 3600 } }),
        rate("beta silent", 1, 20_000, { path: "/beta/", retryAfter: "none" }),
        rate("writes", 1, 20_000, { requests: "write", path: "/beta/" }),
        rate("whole seconds", 1, 2000, { requests: "write", path: "/v1.0/", retryAfter: "seconds" }),
      ],
      timeScale: 0.5,
      retryAfterFormat: "fractional-seconds",
    });
    await call(emu);
    const fixed = await call(emu);
    expect([fixed.status, fixed.headers.get("retry-after")]).to.deep.equal([429, "3600"]);
    await call(emu, { path: BETA });
    const silent = await call(emu, { path: BETA });
    expect([silent.status, silent.headers.get("retry-after"), silent.headers.get("x-emulator-throttled-by")]).to.deep.equal([429, null, "beta silent"]);
    // A request refused by two limits gets the Retry-After of the one with the longer wait.
    emu.setLimits([rate("writes", 1, 20_000, { requests: "write" }), rate("whole seconds", 1, 2000, { requests: "write", retryAfter: "seconds" })]);
    await call(emu, { body: {} });
    const both = await call(emu, { body: {} });
    expect(both.headers.get("x-emulator-throttled-by")).to.equal("writes, whole seconds");
    expect(both.headers.get("retry-after")).to.match(/^(9\.9\d\d|10\.000)$/);
  });

  it("countThrottled: refused requests count too, so hammering keeps a client out (as SharePoint does)", async () => {
    const windowMs = 300;
    const emu = await emulator({
      limits: [
        rate("counts refusals", 2, windowMs, { path: "/v1.0/", countThrottled: true }),
        rate("spares refusals", 2, windowMs, { path: "/beta/" }),
      ],
      retryAfterFormat: "fractional-seconds",
    });
    for (const path of [SUMMARY, BETA]) {
      await call(emu, { path });
      await call(emu, { path });
    }
    const [first, second] = [await call(emu), await call(emu, { path: BETA })];
    expect([first.status, second.status]).to.deep.equal([429, 429]);
    // Hammer the v1.0 path while both refusals' waits run out; the beta path waits politely.
    const until = performance.now() + Math.max(retryAfterMs(first), retryAfterMs(second)) + 5;
    while (performance.now() < until) {
      expect((await call(emu)).status).to.equal(429);
      await wait(20);
    }
    // The limit that spares refusals has room now; the one that counts them is still full of them.
    expect((await call(emu, { path: BETA })).status).to.equal(200);
    const stillRefused = await call(emu);
    expect(stillRefused.status).to.equal(429);
    expect(stillRefused.headers.get("x-emulator-throttled-by")).to.equal("counts refusals");
    const stats = emu.stats().limits;
    // Every request to the v1.0 path was counted; the beta limit counted only its admissions.
    expect(stats["counts refusals"]?.counted).to.equal(stats["counts refusals"]!.throttled + 2);
    expect(stats["spares refusals"]).to.deep.include({ counted: 3, throttled: 1 });
  });

  it("countFaulted: requests answered by a fault count only in limits that say so", async () => {
    const emu = await emulator({
      limits: [rate("counts faults", 2, 20_000, { countFaulted: true, requests: "write" }), rate("spares faults", 2, 20_000, { path: "/beta/" })],
    });
    emu.setFaults({ unavailable: 0.5, gatewayTimeout: 0.5 });
    const faulted = [await call(emu, { body: {} }), await call(emu, { path: BETA, body: {} })];
    expect(faulted.map((r) => r.status).every((s) => s === 503 || s === 504)).to.equal(true);
    emu.setFaults(undefined);
    const write = await call(emu, { body: { errorUserCount: 1 } });
    expect([write.status, write.headers.get("x-emulator-throttled-by")]).to.deep.equal([429, "counts faults"]);
    expect((await call(emu, { path: BETA })).status).to.equal(200);
    expect((await call(emu, { path: BETA })).status).to.equal(200);
    expect(emu.stats().limits["counts faults"]).to.deep.include({ counted: 2, throttled: 1 });
    expect(emu.stats().limits["spares faults"]).to.deep.include({ counted: 2, throttled: 0 });
  });

  it("schedule: the limit is halved for two windows, then restored, without a timer in the test", async () => {
    // Windows of 400 ms; halved from 800 ms to 1600 ms after start.
    const emu = await emulator({
      limits: [rate("halved", 4, 20_000, { schedule: [{ fromMs: 40_000, untilMs: 80_000, limit: 2 }] })],
      timeScale: 0.02,
    });
    const started = performance.now();
    const at = async (ms: number) => wait(Math.max(0, started + ms - performance.now()));
    await warmUp(emu, 6);
    expect(emu.stats().limits.halved?.limit).to.equal(4);
    expect(statuses(await Promise.all(Array.from({ length: 6 }, () => call(emu))))).to.deep.equal([200, 200, 200, 200, 429, 429]);
    await at(1100);
    expect(emu.stats().limits.halved?.limit).to.equal(2);
    expect(statuses(await Promise.all(Array.from({ length: 6 }, () => call(emu))))).to.deep.equal([200, 200, 429, 429, 429, 429]);
    await at(2000);
    expect(emu.stats().limits.halved?.limit).to.equal(4);
    expect(statuses(await Promise.all(Array.from({ length: 6 }, () => call(emu))))).to.deep.equal([200, 200, 200, 200, 429, 429]);
  });

  it("setLimits: a lowered limit bites at once (what was counted stays), and `false` lifts every limit", async () => {
    const emu = await emulator({ limits: [rate("writes", 3, 20_000, { requests: "write" })] });
    expect((await call(emu, { body: {} })).status).to.equal(200);
    expect((await call(emu, { body: {} })).status).to.equal(200);
    emu.setLimits([rate("writes", 2, 20_000, { requests: "write" })]);
    expect((await call(emu, { body: {} })).status).to.equal(429);
    expect(emu.stats().limits.writes).to.deep.include({ limit: 2, counted: 2, throttled: 1 });
    expect(() => emu.setLimits([rate("writes", 0, 1)])).to.throw(/limit must be an integer >= 1/);
    emu.setLimits(false);
    expect((await call(emu, { body: {} })).status).to.equal(200);
    expect(emu.stats().limits).to.deep.equal({});
  });

  it("near-limit headers: RateLimit-* and x-ms-throttle-limit-percentage on normal answers from 80% of a limit", async () => {
    const emu = await emulator({
      limits: [
        rate("sharepoint-like", 5, 20_000, { nearLimitHeaders: { rateLimit: true, throttleLimitPercentage: true } }),
        rate("quiet beta", 1, 20_000, { path: "/beta/" }),
      ],
    });
    const answers = [];
    for (let i = 0; i < 6; i += 1) answers.push(await call(emu));
    const headers = answers.map((r) => [
      r.status,
      r.headers.get("ratelimit-limit"),
      r.headers.get("ratelimit-remaining"),
      r.headers.get("ratelimit-reset"),
      r.headers.get("x-ms-throttle-limit-percentage"),
    ]);
    expect(headers).to.deep.equal([
      [200, null, null, null, null],
      [200, null, null, null, null],
      [200, null, null, null, null],
      [200, "5", "1", "20", "0.8"],
      [200, "5", "0", "20", "1"],
      [429, null, null, null, null],
    ]);
    // Another route class sends none.
    expect((await call(emu, { path: BETA })).headers.get("ratelimit-limit")).to.equal(null);
  });
});
