import { expect } from "chai";
import { parseRetryAfter } from "../../lib/chain/parseRetryAfter.js";
import { createTestToken, type EmulatorLimit } from "../../lib/testing/index.js";
import { call, graphError, useEmulators, UUID, wait } from "./support/helpers.js";

// Windows are written in real Graph units (20 s) and shrunk with timeScale, as users would.
const TIME_SCALE = 0.025; // 20 s -> 500 ms
const WINDOW_MS = 20_000 * TIME_SCALE;
const writes = (limit: number, scope: "tenant" | "app" = "tenant"): EmulatorLimit => ({
  name: `writes per ${scope}`,
  requests: "write",
  scope,
  limit,
  windowMs: 20_000,
});

describe("testing/startGraphEmulator: throttling (over HTTPS)", () => {
  const emulator = useEmulators();

  it("answers 429 with exactly the documented body and the standard headers", async () => {
    const emu = await emulator({ limits: [writes(1)], timeScale: TIME_SCALE });
    expect((await call(emu, { body: { errorUserCount: 1 } })).status).to.equal(200);
    const result = await call(emu, { body: { errorUserCount: 2 }, headers: { "client-request-id": "cr-1" } });
    expect(result.status).to.equal(429);
    expect(result.headers.get("request-id")).to.match(UUID);
    expect(result.headers.get("client-request-id")).to.equal("cr-1");
    expect(result.headers.get("x-ms-ags-diagnostic")).to.be.a("string");
    expect(result.headers.get("date")).to.be.a("string");
    expect(result.headers.get("content-type")).to.equal("application/json");
    expect(result.headers.get("x-emulator-throttled-by")).to.equal("writes per tenant");
    const error = graphError(result);
    expect(Object.keys(error)).to.deep.equal(["code", "message", "innerError"]);
    expect(error).to.deep.include({ code: "TooManyRequests", message: "Please retry again later." });
    expect(Object.keys(error.innerError)).to.deep.equal(["code", "date", "message", "request-id", "status"]);
    expect(error.innerError).to.deep.include({ code: "429", message: "Please retry after", status: "429", "request-id": result.headers.get("request-id") });
    expect(error.innerError.date).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    // Refused, so not applied.
    expect(emu.entity("tenant-a")?.errorUserCount).to.equal(1);
    const stats = emu.stats();
    expect(stats).to.deep.include({ throttled: 1, throttledBy: { "writes per tenant": 1 } });
    expect(stats.byStatus).to.deep.equal({ "200": 1, "429": 1 });
  });

  it("writes Retry-After as the exact time until a slot frees (fractional seconds), and a retry then succeeds", async () => {
    const emu = await emulator({ limits: [writes(2)], timeScale: TIME_SCALE, retryAfterFormat: "fractional-seconds" });
    const firstSent = performance.now();
    await call(emu, { body: {} });
    const firstDone = performance.now();
    await call(emu, { body: {} });
    const refusedSent = performance.now();
    const refused = await call(emu, { body: {} });
    const refusedDone = performance.now();
    expect(refused.status).to.equal(429);
    const header = refused.headers.get("retry-after") ?? "";
    expect(header).to.match(/^\d+\.\d{3}$/);
    const retryAfterMs = Number(header) * 1000;
    // Retry-After = first admission + window - refusal, with the admission within [firstSent, firstDone]
    // and the refusal within [refusedSent, refusedDone] (one process, one clock).
    expect(retryAfterMs).to.be.at.most(WINDOW_MS - (refusedSent - firstDone) + 1);
    expect(retryAfterMs).to.be.at.least(WINDOW_MS - (refusedDone - firstSent));
    await wait(retryAfterMs);
    expect((await call(emu, { body: {} })).status).to.equal(200);
    // Check against the server's own admission times: the retry came no earlier than one window after the first.
    const [first, , third] = emu.stats().applied;
    expect((third?.at ?? 0) - (first?.at ?? 0)).to.be.at.least(WINDOW_MS);
  });

  it("writes Retry-After in whole seconds, rounded up", async () => {
    // A 20 s window: the wait is just under 20 s, written as 20.
    let emu = await emulator({ limits: [writes(1)] });
    await call(emu, { body: {} });
    expect((await call(emu, { body: {} })).headers.get("retry-after")).to.equal("20");
    // A shrunk window: the wait is under a second, written as 1 (never 0).
    emu = await emulator({ limits: [writes(1)], timeScale: TIME_SCALE });
    await call(emu, { body: {} });
    expect((await call(emu, { body: {} })).headers.get("retry-after")).to.equal("1");
  });

  it("writes Retry-After as an IMF-fixdate no earlier than the slot frees", async () => {
    const emu = await emulator({ limits: [writes(1)], retryAfterFormat: "http-date" });
    const firstSent = Date.now();
    await call(emu, { body: {} });
    const firstDone = Date.now();
    const refused = await call(emu, { body: {} });
    const header = refused.headers.get("retry-after") ?? "";
    expect(header).to.match(/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    // The slot frees 20 s after the first admission; the date is that instant rounded up to its 1 s resolution.
    const dateMs = Date.parse(header);
    expect(dateMs).to.be.at.least(firstSent + 20_000);
    expect(dateMs).to.be.at.most(firstDone + 20_000 + 1000);
    expect(parseRetryAfter(header)).to.be.within(19_000, 21_000);
  });

  it("never admits more than the limit in any window, even for requests fired at the boundary", async () => {
    const limit = 4;
    const emu = await emulator({ limits: [writes(limit)], timeScale: TIME_SCALE, retryAfterFormat: "fractional-seconds" });
    // Open the connections first (unknown paths are not throttled), so bursts are not slowed by TLS handshakes.
    await Promise.all(Array.from({ length: 8 }, () => call(emu, { path: "v1.0/warm-up" })));
    // A burst fills the window; then a burst is fired exactly when the first slot frees, and again.
    let results = await Promise.all(Array.from({ length: 8 }, () => call(emu, { body: {} })));
    expect(results.filter((r) => r.status === 200).length).to.be.within(1, limit);
    for (let round = 0; round < 2; round += 1) {
      const retryAfter = results.find((r) => r.status === 429)?.headers.get("retry-after");
      await wait(retryAfter === undefined || retryAfter === null ? WINDOW_MS : Number(retryAfter) * 1000);
      results = await Promise.all(Array.from({ length: 8 }, () => call(emu, { body: {} })));
      expect(results.some((r) => r.status === 200)).to.equal(true);
    }
    // Continuous pressure from several workers for a few windows.
    const until = performance.now() + 2 * WINDOW_MS;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (performance.now() < until) await call(emu, { body: {} });
      }),
    );
    const times = emu
      .stats()
      .applied.map((update) => update.at)
      .sort((a, b) => a - b);
    expect(times.length).to.be.at.least(3 * limit);
    for (let i = 0; i + limit < times.length; i += 1) {
      expect((times[i + limit] as number) - (times[i] as number), `admissions ${i}..${i + limit}`).to.be.at.least(WINDOW_MS);
    }
    expect(emu.stats().throttled).to.be.greaterThan(0);
  });

  it("does not let refused requests consume the budget", async () => {
    const emu = await emulator({ limits: [writes(2)], timeScale: TIME_SCALE, retryAfterFormat: "fractional-seconds" });
    await call(emu, { body: {} });
    const firstDone = performance.now();
    await call(emu, { body: {} });
    const refused = await Promise.all(Array.from({ length: 10 }, () => call(emu, { body: {} })));
    expect(refused.every((r) => r.status === 429)).to.equal(true);
    // Once the first admission leaves the window, one slot is free: had the refusals counted, none would be.
    await wait(Math.max(0, WINDOW_MS - (performance.now() - firstDone)) + 5);
    expect((await call(emu, { body: {} })).status).to.equal(200);
  });

  it("throttles per tenant: one tenant's throttling never affects another", async () => {
    const emu = await emulator({ limits: [writes(2)], timeScale: 1 });
    await call(emu, { token: "tenant-a", body: {} });
    await call(emu, { token: "tenant-a", body: {} });
    expect((await call(emu, { token: "tenant-a", body: {} })).status).to.equal(429);
    expect((await call(emu, { token: "tenant-b", body: {} })).status).to.equal(200);
    expect((await call(emu, { token: "tenant-b", body: {} })).status).to.equal(200);
    expect((await call(emu, { token: "tenant-b", body: {} })).status).to.equal(429);
  });

  it("limits per app per tenant and per tenant, and counts reads only in `any` limits", async () => {
    const emu = await emulator({
      limits: [writes(2, "app"), writes(3, "tenant"), { name: "any per tenant", requests: "any", scope: "tenant", limit: 6, windowMs: 20_000 }],
    });
    const app1 = createTestToken({ tenantId: "t", appId: "app-1" });
    const app2 = createTestToken({ tenantId: "t", appId: "app-2" });
    expect((await call(emu, { token: app1, body: {} })).status).to.equal(200);
    expect((await call(emu, { token: app1, body: {} })).status).to.equal(200);
    const appRefusal = await call(emu, { token: app1, body: {} });
    expect([appRefusal.status, appRefusal.headers.get("x-emulator-throttled-by")]).to.deep.equal([429, "writes per app"]);
    expect((await call(emu, { token: app2, body: {} })).status).to.equal(200);
    const tenantRefusal = await call(emu, { token: app2, body: {} });
    expect([tenantRefusal.status, tenantRefusal.headers.get("x-emulator-throttled-by")]).to.deep.equal([429, "writes per tenant"]);
    // Reads are not writes: 3 more fit in the `any` limit of 6 (3 writes admitted so far).
    for (let i = 0; i < 3; i += 1) expect((await call(emu, { token: app1 })).status).to.equal(200);
    expect((await call(emu, { token: app2 })).headers.get("x-emulator-throttled-by")).to.equal("any per tenant");
    expect(emu.stats().applied.map((u) => u.app)).to.deep.equal(["app-1", "app-1", "app-2"]);
  });

  it("uses the Intune limits by default (100 writes per app per 20 s)", async () => {
    const emu = await emulator();
    const results = await Promise.all(Array.from({ length: 110 }, () => call(emu, { body: {} })));
    expect(results.filter((r) => r.status === 200)).to.have.length(100);
    expect(emu.stats().throttledBy).to.deep.equal({ "writes per app per tenant": 10 });
  });

  it("reset() clears throttle windows", async () => {
    const emu = await emulator({ limits: [writes(1)] });
    await call(emu, { body: {} });
    expect((await call(emu, { body: {} })).status).to.equal(429);
    emu.reset();
    expect((await call(emu, { body: {} })).status).to.equal(200);
  });
});
