import { expect } from "chai";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import { sendBatch, type BatchProgress } from "../../lib/batch/sendBatch.js";
import type { BatchRequestItem } from "../../lib/batch/batchTypes.js";
import { ValidationError } from "../../lib/errors/ValidationError.js";
import { createTestToken, startGraphEmulator, staticTokenProvider } from "../../lib/testing/index.js";
import type { GraphEmulator } from "../../lib/testing/types.js";

const SUMMARY = "/deviceManagement/softwareUpdateStatusSummary";
const TOKEN = createTestToken({ tenantId: "tenant-send", appId: "app-send" });
const patch = (i: number, dependsOn?: string[]): BatchRequestItem => ({
  id: `p${i}`,
  method: "PATCH",
  url: SUMMARY,
  headers: { "Content-Type": "application/json" },
  body: { compliantDeviceCount: i },
  ...(dependsOn === undefined ? {} : { dependsOn }),
});

describe("batch/sendBatch over real HTTP against the emulator", function () {
  this.timeout(20_000);
  let emu: GraphEmulator;
  beforeEach(async () => {
    // Seed 21: no more than 3 faults in any 16 draws of its first 500. Seed 3 has 7 in 22 draws
    // just where the last dependsOn chain goes alone (a request and its batch: two draws per
    // attempt), and 1 run in 6 gave that chain's head a 504 on all 6 attempts: maxRetries spent.
    emu = await startGraphEmulator({ timeScale: 0.02, retryAfterFormat: "fractional-seconds", faults: { gatewayTimeout: 0.1, appliesTo: "writes", seed: 21 } });
  });
  afterEach(async () => {
    await emu.close();
  });
  const client = () =>
    createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: emu.url,
      customHosts: [emu.host],
      fetchOptions: emu.fetchOptions,
      throttle: { presets: "always", presetTimeScale: 0.02 },
      batch: { baseDelayMs: 5 },
    });

  it("sends any number of requests in batches of at most 20 within Intune's limits, with a result per id and progress", async () => {
    // 150 writes: more than the 100-per-window app limit, 10% of them answered 504 once or more.
    const requests = [...Array.from({ length: 140 }, (_, i) => patch(i)), patch(140), ...Array.from({ length: 9 }, (_, i) => patch(141 + i, [`p${140 + i}`]))];
    const progress: BatchProgress[] = [];
    const results = await sendBatch(client(), requests, { concurrency: 3, onProgress: (p) => progress.push(p) });
    expect([...results.keys()]).to.deep.equal(requests.map((r) => r.id));
    expect([...results.values()].every((r) => r.ok && r.status === 200)).to.equal(true);
    expect([...results.values()].some((r) => r.attempts > 1), "some requests were re-sent after a 504").to.equal(true);
    const stats = emu.stats();
    // The throttle held every batch until its requests fit: the server refused none.
    expect(stats.throttled).to.equal(0);
    expect(new Set(stats.applied.map((u) => u.patch["compliantDeviceCount"])).size).to.equal(150);
    expect(progress.at(-1)).to.deep.equal({ done: 150, total: 150, succeeded: 150, failed: 0 });
    expect(progress.length).to.equal(Math.ceil(150 / 20));
    // The dependsOn chain went in order.
    const chain = stats.applied.map((u) => Number(u.patch["compliantDeviceCount"])).filter((n) => n >= 140);
    expect(chain).to.deep.equal([...chain].sort((a, b) => a - b));
  });

  it("stops sending batches when aborted and rejects with the reason", async () => {
    const controller = new AbortController();
    const requests = Array.from({ length: 400 }, (_, i) => patch(i));
    const sent = sendBatch(client(), requests, {
      concurrency: 1,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done >= 40) controller.abort(new Error("stop now"));
      },
    });
    const error = await sent.then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect((error as Error).message).to.equal("stop now");
    const batchesSent = emu.stats().requests;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(emu.stats().requests).to.equal(batchesSent);
    expect(batchesSent).to.be.below(6);
  });

  it("checks every request before sending anything", async () => {
    const error = await sendBatch(client(), [patch(1), patch(1), { id: "x", method: "GET", url: "https://example.com/" }], { batchSize: 30 }).then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).to.deep.equal(["requests[1].id", "requests[2].url", "options.batchSize"]);
    expect(emu.stats().requests).to.equal(0);
  });
});
