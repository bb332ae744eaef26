import { expect } from "chai";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { CreateGraphClientOptions, GraphClient } from "../../lib/client/CreateGraphClientOptions.js";
import { createTestToken, startGraphEmulator, staticTokenProvider } from "../../lib/testing/index.js";
import type { GraphEmulator } from "../../lib/testing/types.js";
import { patchRequest, patchRequest as patch, type BatchBody } from "../support/batchRequests.js";
import { useEmulators } from "../testing/support/helpers.js";
import { emulatorClient, patchMany } from "./support/emulatorChain.js";
import { MemoryThrottleStore } from "../../lib/throttle/MemoryThrottleStore.js";
import { monotonicNow } from "../../lib/chain/monotonicNow.js";

const TOKEN = createTestToken({ tenantId: "tenant-parts", appId: "app-parts" });

describe("throttle/ThrottleHandler: a $batch sent in parts that fit the budgets (real HTTP)", function () {
  this.timeout(15_000);
  let emu: GraphEmulator;
  afterEach(async () => {
    await emu.close();
  });
  async function setUp(limit: number, windowMs: number): Promise<GraphClient> {
    emu = await startGraphEmulator({ retryAfterFormat: "fractional-seconds", limits: [{ name: "w", requests: "write", scope: "tenant", limit, windowMs }] });
    const options: Partial<CreateGraphClientOptions> = {
      throttle: { presets: false, budgets: [{ route: "/deviceManagement/", methods: "write", scope: "tenant", limit, windowMs }] },
    };
    return createGraphClient({ authProvider: staticTokenProvider(TOKEN), baseUrl: emu.url, customHosts: [emu.host], fetchOptions: emu.fetchOptions, ...options });
  }

  it("a batch of 20 writes under a budget of 8 goes in parts of at most 8, a window apart: no overshoot, no deadlock", async () => {
    const c = await setUp(8, 300);
    const started = performance.now();
    const body = (await c.api("/$batch").post({ requests: Array.from({ length: 20 }, (_, i) => patch(String(i), i)) })) as BatchBody;
    expect(body.responses.map((r) => r.id)).to.deep.equal(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(body.responses.every((r) => r.status === 200 && r.headers?.["x-attempts"] === "1")).to.equal(true);
    const stats = emu.stats();
    expect(stats.throttled, "sub-request 429s").to.equal(0);
    expect(stats.requests, "HTTP requests (parts)").to.be.at.least(3);
    // 8, 8, 4: the third part cannot go before two windows have slid.
    expect(performance.now() - started).to.be.at.least(2 * 300);
  });

  it("sends a dependsOn chain longer than the budget in parts, in order, each request after its dependency succeeded", async () => {
    const c = await setUp(3, 300);
    const requests = [patch("a", 1), patch("b", 2, ["a"]), patch("c", 3, ["b"]), patch("d", 4, ["c"]), patch("e", 5, ["d"]), patch("f", 6, ["e"]), patch("g", 7, ["f"])];
    const body = (await c.api("/$batch").post({ requests })) as BatchBody;
    // A dependsOn naming a request of another part would be a 400 for that part.
    expect(body.responses.map((r) => `${r.id}:${r.status}`)).to.deep.equal(["a:200", "b:200", "c:200", "d:200", "e:200", "f:200", "g:200"]);
    const stats = emu.stats();
    expect(stats.throttled).to.equal(0);
    expect(stats.requests, "HTTP requests (parts)").to.be.at.least(3);
    expect(stats.applied.map((u) => u.patch["compliantDeviceCount"])).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
  });

  it("answers 424 without sending it for a request whose dependency failed in an earlier part, as Graph does", async () => {
    const c = await setUp(2, 300);
    // "a" fails (no such route); "b" runs with it in the first part (the server answers its 424), "c" would be in the second.
    const missing = { ...patch("a", 1), url: "/deviceManagement/noSuchThing" };
    const body = (await c.api("/$batch").post({ requests: [missing, patch("b", 2, ["a"]), patch("c", 3, ["b"]), patch("d", 4)] })) as BatchBody;
    expect(body.responses.map((r) => `${r.id}:${r.status}`)).to.deep.equal(["a:404", "b:424", "c:424", "d:200"]);
    expect(emu.stats().applied.map((u) => u.patch["compliantDeviceCount"]), "c never reached the server").to.deep.equal([4]);
    expect(emu.stats().throttled).to.equal(0);
  });

  it("a later part refused as a whole answers each of its requests with that refusal, which the batch step re-sends", async () => {
    emu = await startGraphEmulator({
      retryAfterFormat: "fractional-seconds",
      limits: [
        { name: "w", requests: "write", scope: "tenant", limit: 2, windowMs: 200 },
        { name: "batch endpoint", requests: "any", scope: "tenant", path: "/v1.0/$batch", limit: 1, windowMs: 600 },
      ],
    });
    const c = createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: emu.url,
      customHosts: [emu.host],
      fetchOptions: emu.fetchOptions,
      throttle: { presets: false, budgets: [{ route: "/deviceManagement/", methods: "write", scope: "tenant", limit: 2, windowMs: 200 }] },
    });
    const body = (await c.api("/$batch").post({ requests: [patch("1", 1), patch("2", 2), patch("3", 3), patch("4", 4)] })) as BatchBody;
    const attempts = (id: string): number => Number(body.responses.find((r) => r.id === id)?.headers?.["x-attempts"]);
    // The first part went; the next met the endpoint's own limit (a top-level 429), and its requests
    // went again after its Retry-After. That part is {3, 4}, or {3} alone when the first part's two
    // slots free a few µs apart (4 then goes in a part of its own, after the cooldown).
    expect(body.responses.map((r) => `${r.id}:${r.status}`)).to.deep.equal(["1:200", "2:200", "3:200", "4:200"]);
    expect([attempts("1"), attempts("2")]).to.deep.equal([1, 1]);
    expect(attempts("3"), "3 was refused with its part, and re-sent").to.be.at.least(2);
    expect(emu.stats().byStatus["429"]).to.be.at.least(1);
    // Each applied once; the order of independent requests of a batch is the server's to choose.
    expect(emu.stats().applied.map((u) => u.patch["compliantDeviceCount"]).sort()).to.deep.equal([1, 2, 3, 4]);
  });

  it("takes no more grants for a part than the key has free in-flight places (no grant idles waiting for another answer)", async () => {
    emu = await startGraphEmulator({ retryAfterFormat: "fractional-seconds", limits: false, faults: { latencyMs: 300 } });
    const c = createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: emu.url,
      customHosts: [emu.host],
      fetchOptions: emu.fetchOptions,
      throttle: { presets: false, maxConcurrency: 3, budgets: [{ route: "/deviceManagement/", methods: "write", scope: "tenant", limit: 100, windowMs: 1_000 }] },
    });
    const started = monotonicNow();
    const first = c.api("/$batch").post({ requests: [patch("a1", 1), patch("a2", 2)] });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = c.api("/$batch").post({ requests: [patch("b1", 3), patch("b2", 4), patch("b3", 5)] });
    await Promise.all([first, second]);
    const at = (count: number): number => emu.stats().applied.find((u) => u.patch["compliantDeviceCount"] === count)?.at ?? Number.NaN;
    // One place was free: b1 went at once, beside the first batch (served after the 300 ms latency),
    // instead of holding its grant until the first batch's answer freed places for all three.
    expect(at(3) - started).to.be.below(500);
    expect(at(4) - started).to.be.at.least(550);
  });

  it("sizes a part by when room frees: an answered slot one window after its answer (the margin only covers unanswered grants)", async () => {
    emu = await startGraphEmulator({ retryAfterFormat: "fractional-seconds", limits: false });
    const c = createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: emu.url,
      customHosts: [emu.host],
      fetchOptions: emu.fetchOptions,
      throttle: { presets: false, windowMarginRatio: 0, windowMarginMs: 200, budgets: [{ route: "/deviceManagement/", methods: "write", scope: "tenant", limit: 2, windowMs: 300 }] },
    });
    await c.api("/$batch").post({ requests: [patch("x1", 1)] });
    const answered = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await c.api("/$batch").post({ requests: [patch("x2", 2)] });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, answered + 200 - performance.now())));
    await c.api("/$batch").post({ requests: [patch("y1", 3), patch("y2", 4)] });
    const at = (count: number): number => emu.stats().applied.find((u) => u.patch["compliantDeviceCount"] === count)?.at ?? Number.NaN;
    // x1's slot frees 300 ms after its answer (not 500: the 200 ms margin is for unanswered grants),
    // x2's about 100 ms later: y1 goes in x1's slot, not held until x2's frees too.
    expect(at(3) - at(1)).to.be.within(290, 440);
    expect(at(4) - at(2)).to.be.at.least(290);
  });

  it("a later part whose wait is refused leaves its requests unanswered; what earlier parts got stands (nothing re-sent)", async () => {
    emu = await startGraphEmulator({
      retryAfterFormat: "fractional-seconds",
      limits: [{ name: "w", requests: "write", scope: "tenant", limit: 1, windowMs: 10_000, retryAfter: { fixedSeconds: 5 } }],
    });
    const c = createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: emu.url,
      customHosts: [emu.host],
      fetchOptions: emu.fetchOptions,
      retry: { maxRetryAfterMs: 1_000 },
      throttle: { presets: false, budgets: [{ route: "/deviceManagement/", methods: "write", scope: "tenant", limit: 2, windowMs: 300 }] },
    });
    const started = performance.now();
    // The first part's second request meets the server's limit: a 5 s cooldown, longer than the call accepts.
    const body = (await c.api("/$batch").post({ requests: [patch("1", 1), patch("2", 2), patch("3", 3), patch("4", 4)] })) as BatchBody;
    expect(body.responses.map((r) => `${r.id}:${r.status}`)).to.deep.equal(["1:200", "2:429"]);
    expect(performance.now() - started).to.be.below(1_000);
    expect(emu.stats().applied.map((u) => u.patch["compliantDeviceCount"])).to.deep.equal([1]);
    expect(emu.stats().requests).to.equal(1);
  });

  it("uses the room there is now instead of waiting for room for the whole batch", async () => {
    const c = await setUp(5, 1_000);
    await c.api("/$batch").post({ requests: [patch("1", 1), patch("2", 2), patch("3", 3)] });
    const sent = monotonicNow();
    await c.api("/$batch").post({ requests: [patch("4", 4), patch("5", 5), patch("6", 6), patch("7", 7)] });
    const applied = emu.stats().applied;
    const at = (count: number): number => applied.find((u) => u.patch["compliantDeviceCount"] === count)?.at ?? Number.NaN;
    // Two slots were free: 4 and 5 went at once; 6 and 7 waited for the window to slide.
    expect(at(5) - sent).to.be.below(300);
    expect(at(6) - at(5)).to.be.at.least(500);
    expect(emu.stats().throttled).to.equal(0);
  });
});

describe("throttle/ThrottleHandler: a whole $batch after a 429 cut this process's share of the budget (real HTTP)", function () {
  this.timeout(15_000);
  const emulator = useEmulators();

  it("sends a batch that must go whole, larger than the share but within the budget, instead of waiting for room that never comes", async () => {
    // The server admits 4 a second; this process was told 8 (another app spends the rest).
    const emu = await emulator({ retryAfterFormat: "fractional-seconds", limits: [{ name: "w", requests: "write", scope: "tenant", limit: 4, windowMs: 1000 }] });
    const budgets = [{ name: "writes", route: "/deviceManagement/", methods: "write", scope: "tenant", limit: 8, windowMs: 1000 }] as const;
    const { client, throttle } = emulatorClient(emu, { throttle: { budgets, presets: false } });
    await patchMany(client, 8, 8);
    const share = throttle?.stats()[0]?.budgets[0]?.share ?? 8;
    expect(share, "the 429s the budget did not predict cut the share").to.be.below(6);
    // A dependsOn cycle cannot be ordered: the batch goes whole, for the server to refuse. Held
    // (all 6 grants kept until its answer), it would wait for 6 places in a window of `share`.
    const started = performance.now();
    const cyclic = [patchRequest("a", 1, ["b"]), patchRequest("b", 2, ["a"]), ...Array.from({ length: 4 }, (_, i) => patchRequest(String(i), i))];
    const outcome = await client
      .api("/$batch")
      .post({ requests: cyclic })
      .then(
        () => "answered",
        (error: { statusCode?: number }) => `refused ${error.statusCode}`,
      );
    expect(outcome).to.equal("refused 400");
    expect(performance.now() - started).to.be.below(5000);
  });
});

describe("throttle/ThrottleHandler: a $batch part held while processes share a store (real HTTP)", function () {
  this.timeout(15_000);
  const emulator = useEmulators();

  it("never makes a part's grant wait on the grants the same part holds, when slow start's cap shrinks to this process's share", async () => {
    const emu = await emulator({ retryAfterFormat: "fractional-seconds" });
    // Two processes of one app on one store: the other sent first, so the store's window holds its grants.
    const store = new MemoryThrottleStore();
    const other = emulatorClient(emu, { throttle: { store, presets: false } });
    const ours = emulatorClient(emu, { throttle: { store, presets: false } });
    const background = patchMany(other.client, 40, 4);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Held as one part (4 adaptive requests, slow start's cap): each grant tells this process its
    // share of the store's window, and the cap falls below what the part already holds.
    const started = performance.now();
    const body = (await ours.client.api("/$batch").post({ requests: Array.from({ length: 4 }, (_, i) => patchRequest(String(i), i)) })) as BatchBody;
    const ms = performance.now() - started;
    await background;
    expect(body.responses.map((r) => r.status)).to.deep.equal([200, 200, 200, 200]);
    expect(ms, "no wait for room the part itself holds").to.be.below(5000);
  });
});
