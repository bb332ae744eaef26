import { setTimeout as sleep } from "node:timers/promises";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import { ThrottleQueueFullError } from "../../lib/errors/ThrottleQueueFullError.js";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";
import { INTUNE_DEVICE_CONFIGURATION_LIMITS } from "../../lib/testing/index.js";
import type { ThrottleEvent } from "../../lib/throttle/ThrottleEvents.js";
import { useEmulators } from "../testing/support/helpers.js";
import { emulatorClient, ENTITY, patch, patchMany } from "./support/emulatorChain.js";

describe("ThrottleHandler over HTTP (emulator)", () => {
  const emulator = useEmulators();

  it("makes every request of the key wait out a 429's Retry-After, not only the refused one", async () => {
    const emu = await emulator({
      limits: [{ name: "writes per tenant", requests: "write", scope: "tenant", limit: 3, windowMs: 800 }],
      retryAfterFormat: "fractional-seconds",
    });
    const events: ThrottleEvent[] = [];
    const { client } = emulatorClient(emu, { throttle: { adaptive: false, onThrottle: (e: ThrottleEvent) => events.push(e) } });
    await Promise.all([0, 1, 2].map((i) => patch(client, i)));
    // The fourth is refused; the retry handler will send it again after Retry-After.
    const fourth = patch(client, 3);
    while (!events.some((e) => e.reason === "cooldown")) await sleep(2);
    const cooldown = events.find((e) => e.reason === "cooldown") as ThrottleEvent;
    expect(cooldown.waitMs).to.be.within(200, 800);
    expect(emu.stats()).to.deep.include({ requests: 4, throttled: 1 });
    // Three more for the same key: none reaches the server before the cooldown ends.
    const others = [10, 11, 12].map((n) => patch(client, n));
    await sleep(cooldown.waitMs / 2);
    expect(emu.stats().requests).to.equal(4);
    await Promise.all([fourth, ...others]);
    expect(emu.stats().applied).to.have.length(7);
    // Four requests share three slots after the cooldown (freeing a few ms apart), so a few are
    // refused once more; the point above is that nothing was sent during the cooldown.
    expect(emu.stats().throttled).to.be.at.most(5);
  });

  it("shares a budget counted per app across all tenants between every tenant the app calls, as Graph's global limit counts: no 429", async () => {
    const LIMIT = 20;
    const WINDOW = 600;
    const emu = await emulator({
      limits: [{ name: "global", requests: "write", scope: "app-all-tenants", limit: LIMIT, windowMs: WINDOW }],
      retryAfterFormat: "fractional-seconds",
    });
    const budget = { route: "/deviceManagement/", methods: "write", scope: "app-all-tenants", limit: LIMIT, windowMs: WINDOW } as const;
    const { throttle } = emulatorClient(emu, { throttle: { presets: false, budgets: [budget] } });
    // Three tenants of one app (the same handler, as one backend serves them): three windows' worth together.
    const clients = ["tenant-g1", "tenant-g2", "tenant-g3"].map((tenant) => emulatorClient(emu, { tenant, throttle }).client);
    const runs = await Promise.all(clients.map((client) => patchMany(client, LIMIT, 5)));
    expect(runs.map((r) => r.failed)).to.deep.equal([0, 0, 0]);
    const stats = emu.stats();
    expect(stats.throttled, "429s").to.equal(0);
    expect(stats.applied).to.have.length(3 * LIMIT);
    expect(new Set(stats.applied.map((u) => u.tenant))).to.have.property("size", 3);
    // Each tenant alone would have sent its 20 at once: together they waited two windows.
    expect(Math.max(...runs.map((r) => r.ms))).to.be.at.least(2 * WINDOW - 50);
  });

  it("keeps a burst under the Intune presets (time-scaled) with no 429", async () => {
    const timeScale = 0.05; // 20 s windows -> 1 s
    const emu = await emulator({ limits: INTUNE_DEVICE_CONFIGURATION_LIMITS, timeScale });
    const { client, throttle } = emulatorClient(emu, { throttle: { presets: "always", presetTimeScale: timeScale } });
    const { ms, failed } = await patchMany(client, 150, 150);
    expect(failed).to.equal(0);
    expect(emu.stats().throttled, "429s").to.be.at.most(1);
    // 100 writes per app per (scaled) window: the last 50 wait for the next window, no longer.
    expect(ms).to.be.within(1000, 2500);
    expect(throttle?.stats()[0]?.budgets.map((b) => b.name)).to.include("intune-devconfig-writes-app");
  });

  it("keeps a matching budget's 429s near zero where the stock chain storms", async () => {
    const limits = [{ name: "writes per tenant", requests: "write" as const, scope: "tenant" as const, limit: 20, windowMs: 500 }];
    const emu = await emulator({ limits });
    const budgets = [{ route: "/deviceManagement/", methods: "write" as const, scope: "tenant" as const, limit: 20, windowMs: 500 }];
    const ours = emulatorClient(emu, { throttle: { budgets } });
    const result = await patchMany(ours.client, 100, 100);
    expect(result.failed).to.equal(0);
    expect(emu.stats().throttled).to.be.at.most(1);
    // Ideal: (100 / 20 - 1) windows of 500 ms.
    expect(result.ms).to.be.within(2000, 2000 * 1.3 + 300);
    // The contrast: the same burst without the throttle.
    emu.reset();
    const bare = emulatorClient(emu, { throttle: false, retries: false });
    await patchMany(bare.client, 100, 100);
    expect(emu.stats().throttled).to.be.greaterThan(50);
  });

  it("refuses with ThrottleQueueFullError when the queue is full and sends nothing", async () => {
    const emu = await emulator({ limits: false });
    const budgets = [{ route: "/deviceManagement/", methods: "write" as const, scope: "tenant" as const, limit: 1, windowMs: 60_000 }];
    const { client, throttle } = emulatorClient(emu, { throttle: { budgets, maxQueue: 2 }, retries: false });
    const controller = new AbortController();
    await patch(client, 0);
    const queued = [1, 2].map((n) =>
      client
        .api(ENTITY)
        .option("signal", controller.signal)
        .patch({ compliantDeviceCount: n })
        .catch((e: unknown) => e),
    );
    await sleep(20);
    const trace = new RequestTrace();
    const error = await client
      .api(ENTITY)
      .middlewareOptions([trace])
      .patch({ compliantDeviceCount: 3 })
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(GraphError);
    expect(String((error as Error).message)).to.match(/queue .* is full/);
    expect(trace.error).to.be.instanceOf(ThrottleQueueFullError);
    expect(emu.stats().requests).to.equal(1);
    // The queued ones can be aborted: they leave at once, and still nothing was sent.
    const abortedAt = performance.now();
    controller.abort(new Error("caller gave up"));
    const outcomes = await Promise.all(queued);
    expect(performance.now() - abortedAt).to.be.below(500);
    for (const outcome of outcomes) expect(String(outcome)).to.match(/caller gave up|abort/i);
    expect(emu.stats().requests).to.equal(1);
    expect(throttle?.stats()[0]).to.include({ queued: 0, inFlight: 0, rejected: 1 });
  });
});
