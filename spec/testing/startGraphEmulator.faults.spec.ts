import { expect } from "chai";
import { startGraphEmulator, type EmulatorFaults, type GraphEmulator } from "../../lib/testing/index.js";
import { call, graphError, SUMMARY, useEmulators, wait } from "./support/helpers.js";

/** The outcome of one request as a client sees it: a status, or the network error code. */
async function outcome(emu: GraphEmulator, options: Parameters<typeof call>[1] = {}): Promise<string> {
  try {
    return String((await call(emu, options)).status);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return cause?.code ?? "error";
  }
}

/** Sends a PATCH that the client aborts after `ms`, and returns the abort's error name. */
async function patchAbandonedAfter(emu: GraphEmulator, ms: number, body: unknown): Promise<string> {
  try {
    await fetch(emu.url + SUMMARY, {
      ...emu.fetchOptions,
      method: "PATCH",
      headers: { authorization: "Bearer tenant-a", "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(ms),
    });
    return "answered";
  } catch (error) {
    return error instanceof Error ? error.name : "error";
  }
}

/** Polls `condition` every 10 ms, for at most 2 s. */
async function waitFor(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 2000) throw new Error("condition not met within 2 s");
    await wait(10);
  }
}

describe("testing/startGraphEmulator: faults (over HTTPS)", () => {
  const start = useEmulators();
  const emulator = (faults: EmulatorFaults, limits: Parameters<typeof startGraphEmulator>[0] = {}): Promise<GraphEmulator> =>
    start({ limits: false, ...limits, faults });

  it("repeats the same fault sequence for the same seed", async () => {
    const faults: EmulatorFaults = { seed: 1234, unavailableWithRetryAfter: 0.2, unavailable: 0.2, gatewayTimeout: 0.2, connectionReset: 0.1 };
    const run = async (emu: GraphEmulator): Promise<string[]> => {
      const outcomes: string[] = [];
      for (let i = 0; i < 30; i += 1) outcomes.push(await outcome(emu));
      return outcomes;
    };
    const first = await run(await emulator(faults));
    const second = await run(await emulator(faults));
    expect(second).to.deep.equal(first);
    expect(new Set(first)).to.include.members(["200", "503", "504", "ECONNRESET"]);
    // setFaults reseeds, so the same sequence starts again.
    const emu = await emulator({ seed: 99, hang: 0 });
    emu.setFaults(faults);
    expect(await run(emu)).to.deep.equal(first);
    const other = await run(await emulator({ ...faults, seed: 4321 }));
    expect(other).to.not.deep.equal(first);
  });

  it("answers 503 with Retry-After, 503 without, and 504 never with Retry-After, all Graph-shaped", async () => {
    const withRetryAfter = await emulator({ unavailableWithRetryAfter: 1, unavailableRetryAfterSeconds: 2 });
    let result = await call(withRetryAfter);
    expect([result.status, result.headers.get("retry-after"), graphError(result).code]).to.deep.equal([503, "2", "serviceNotAvailable"]);
    expect(result.headers.get("request-id")).to.equal(graphError(result).innerError["request-id"]);

    const fractional = await start({ retryAfterFormat: "fractional-seconds", faults: { unavailableWithRetryAfter: 1, unavailableRetryAfterSeconds: 0.05 } });
    expect((await call(fractional)).headers.get("retry-after")).to.equal("0.050");

    result = await call(await emulator({ unavailable: 1 }));
    expect([result.status, result.headers.get("retry-after"), graphError(result).code]).to.deep.equal([503, null, "serviceNotAvailable"]);

    result = await call(await emulator({ gatewayTimeout: 1 }));
    expect([result.status, result.headers.get("retry-after"), graphError(result).code]).to.deep.equal([504, null, "GatewayTimeout"]);
  });

  it("writes Date and HTTP-date Retry-Afters on a skewed clock with clockSkewMs, as a server whose clock is off", async () => {
    const skewMs = 3_600_000;
    const emu = await emulator({ unavailableWithRetryAfter: 1, unavailableRetryAfterSeconds: 10 }, { retryAfterFormat: "http-date", clockSkewMs: skewMs });
    const before = Date.now();
    const result = await call(emu);
    const after = Date.now();
    const date = Date.parse(result.headers.get("date") ?? "");
    const retryAt = Date.parse(result.headers.get("retry-after") ?? "");
    // HTTP-dates have whole seconds: Date is truncated, Retry-After rounded up.
    expect(date).to.be.within(before + skewMs - 1000, after + skewMs);
    expect(retryAt - date).to.be.within(10_000, 11_000);
    // Unskewed, Date is the host's clock.
    const plain = await call(await emulator({}, { clockSkewMs: 0 }));
    expect(Date.parse(plain.headers.get("date") ?? "")).to.be.within(before - 1000, Date.now());
  });

  it("resets the connection before any response, and does not apply the request", async () => {
    const emu = await emulator({ connectionReset: 1 });
    let error: unknown;
    try {
      await call(emu, { body: { errorDeviceCount: 1 } });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(TypeError);
    expect((error as { cause?: { code?: string } }).cause?.code).to.equal("ECONNRESET");
    expect(emu.entity("tenant-a")).to.equal(undefined);
    expect(emu.stats()).to.deep.include({ requests: 1, byStatus: { reset: 1 }, applied: [] });
    // The emulator keeps serving on new connections.
    emu.setFaults(undefined);
    expect((await call(emu)).status).to.equal(200);
  });

  it("resets plain HTTP connections too", async () => {
    const emu = await emulator({ connectionReset: 1 }, { protocol: "http" });
    expect(await outcome(emu)).to.equal("ECONNRESET");
  });

  it("hangs a request until close(), which ends it promptly", async () => {
    const emu = await emulator({ hang: 1 });
    let settled = false;
    const pending = call(emu, { body: { errorDeviceCount: 1 } }).then(
      () => "answered",
      () => "rejected",
    );
    pending.then(() => (settled = true));
    await wait(150);
    expect(settled).to.equal(false);
    expect(emu.stats().byStatus).to.deep.equal({ hang: 1 });
    const closeStarted = performance.now();
    await emu.close();
    expect(performance.now() - closeStarted).to.be.below(1000);
    expect(await pending).to.equal("rejected");
    expect(emu.entity("tenant-a")).to.equal(undefined);
  });

  it("adds fixed latency to every request", async () => {
    const emu = await emulator({ latencyMs: 120 });
    const started = performance.now();
    expect((await call(emu)).status).to.equal(200);
    expect(performance.now() - started).to.be.at.least(119);
  });

  it("adds uniform latency within a range", async () => {
    const emu = await emulator({ latencyMs: { min: 60, max: 90 } });
    const durations = [];
    for (let i = 0; i < 3; i += 1) {
      const started = performance.now();
      await call(emu);
      durations.push(performance.now() - started);
    }
    for (const duration of durations) expect(duration).to.be.at.least(59);
  });

  it("drops a latencyMs request whose client went away during the latency: it is never applied", async () => {
    const emu = await emulator({ latencyMs: 150 });
    const abandoned = await patchAbandonedAfter(emu, 30, { errorDeviceCount: 1 });
    expect(abandoned).to.equal("TimeoutError");
    await wait(250);
    expect(emu.stats().applied).to.deep.equal([]);
    expect(emu.entity("tenant-a")).to.equal(undefined);
  });

  it("lateApply: applies and answers a PATCH lateApplyMs after admission", async () => {
    const emu = await emulator({ lateApply: 1, lateApplyMs: 120 });
    const started = performance.now();
    const result = await call(emu, { body: { errorDeviceCount: 2 } });
    const elapsed = performance.now() - started;
    expect(result.status).to.equal(200);
    expect(elapsed).to.be.at.least(119);
    expect(emu.stats().applied.map((update) => update.patch)).to.deep.equal([{ errorDeviceCount: 2 }]);
  });

  it("lateApply: still applies a PATCH whose client timed out and went away (the late duplicate real Graph can produce)", async () => {
    const emu = await emulator({ lateApply: 1, lateApplyMs: 150 });
    expect(await patchAbandonedAfter(emu, 30, { errorDeviceCount: 3 })).to.equal("TimeoutError");
    expect(emu.stats().applied).to.deep.equal([]);
    // A later write lands first; the abandoned one overwrites it when its delay ends.
    emu.setFaults(undefined);
    expect((await call(emu, { body: { errorDeviceCount: 4 } })).status).to.equal(200);
    await waitFor(() => emu.stats().applied.length === 2);
    expect(emu.stats().applied.map((update) => update.patch)).to.deep.equal([{ errorDeviceCount: 4 }, { errorDeviceCount: 3 }]);
    expect(emu.entity("tenant-a")).to.include({ errorDeviceCount: 3 });
  });

  it("lateApply: close() drops a request still waiting to be applied", async () => {
    const emu = await emulator({ lateApply: 1, lateApplyMs: 150 });
    const pending = call(emu, { body: { errorDeviceCount: 5 } }).then(
      () => "answered",
      () => "rejected",
    );
    await wait(40);
    await emu.close();
    expect(await pending).to.equal("rejected");
    expect(emu.stats().applied).to.deep.equal([]);
  });

  it("applies faults to writes only with appliesTo: writes", async () => {
    const emu = await emulator({ gatewayTimeout: 1, appliesTo: "writes" });
    expect((await call(emu)).status).to.equal(200);
    expect((await call(emu, { body: {} })).status).to.equal(504);
  });

  it("decides faults before authentication and throttling, and faulted requests consume no budget", async () => {
    const emu = await emulator({ unavailable: 1 }, { limits: [{ name: "one", requests: "any", scope: "tenant", limit: 1, windowMs: 60_000 }] });
    expect((await call(emu, { token: null })).status).to.equal(503);
    for (let i = 0; i < 5; i += 1) expect((await call(emu)).status).to.equal(503);
    emu.setFaults(undefined);
    expect((await call(emu)).status).to.equal(200);
    expect((await call(emu)).status).to.equal(429);
  });

  it("acknowledges only applied PATCHes when resets are mixed in", async () => {
    const emu = await emulator({ seed: 5, connectionReset: 0.3, appliesTo: "writes" });
    const acknowledged: string[] = [];
    const failed: string[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const id = `req-${i}`;
        try {
          const result = await call(emu, { body: { compliantDeviceCount: i }, headers: { "client-request-id": id } });
          if (result.status === 200) acknowledged.push(id);
        } catch {
          failed.push(id);
        }
      }),
    );
    expect(failed.length).to.be.greaterThan(0);
    const applied = emu.stats().applied.map((update) => update.clientRequestId);
    expect([...applied].sort()).to.deep.equal([...acknowledged].sort());
    expect(emu.stats().byStatus.reset).to.equal(failed.length);
  });

  it("faults any request, whatever its path (as a network fault would)", async () => {
    const emu = await emulator({ gatewayTimeout: 1 });
    expect((await call(emu, { path: "v1.0/other" })).status).to.equal(504);
    expect((await call(emu, { path: SUMMARY })).status).to.equal(504);
  });

  it("stalls after the headers: status and headers come, the body never does until close()", async () => {
    const emu = await emulator({ stallAfterHeaders: 1 });
    const response = await fetch(emu.url + SUMMARY, { ...emu.fetchOptions, method: "PATCH", headers: { authorization: "Bearer tenant-a", "content-type": "application/json" }, body: '{"errorDeviceCount":3}' });
    expect(response.status).to.equal(200);
    expect(Number(response.headers.get("content-length"))).to.be.above(0);
    expect(response.headers.get("request-id")).to.match(/^[0-9a-f-]{36}$/);
    // Served normally: the update was applied; only its answer is lost.
    expect(emu.entity("tenant-a")?.errorDeviceCount).to.equal(3);
    expect(emu.stats()).to.deep.include({ byStatus: { 200: 1 } });
    let settled = false;
    const body = response.text().then(
      () => "read",
      () => "failed",
    );
    void body.then(() => (settled = true));
    await wait(150);
    expect(settled).to.equal(false);
    await emu.close();
    expect(await body).to.equal("failed");
  });

  it("trickles the body a few bytes at a time", async () => {
    const emu = await emulator({ slowTrickle: 1, trickleChunkBytes: 100, trickleIntervalMs: 20 });
    const started = performance.now();
    const response = await fetch(emu.url + SUMMARY, { ...emu.fetchOptions, headers: { authorization: "Bearer tenant-a" } });
    const headersAfter = performance.now() - started;
    const chunks: number[] = [];
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk.byteLength);
    const total = chunks.reduce((sum, n) => sum + n, 0);
    expect(total).to.equal(Number(response.headers.get("content-length")));
    expect(Math.max(...chunks)).to.be.at.most(100);
    // At least ceil(total / 100) writes, 20 ms apart.
    expect(performance.now() - started - headersAfter).to.be.at.least((Math.ceil(total / 100) - 1) * 20 - 5);
    expect(emu.stats().byStatus).to.deep.equal({ 200: 1 });
  });
});
