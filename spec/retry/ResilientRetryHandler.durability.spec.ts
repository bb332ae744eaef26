import { expect } from "chai";
import { IdempotentRequestOption } from "../../lib/chain/IdempotentRequestOption.js";
import { ResilientRetryHandler } from "../../lib/retry/ResilientRetryHandler.js";
import { startGraphEmulator } from "../../lib/testing/index.js";
import type { GraphEmulator } from "../../lib/testing/types.js";
import { clientWith, ODATA_TYPE, SUMMARY, TENANT } from "./support/emulatorClient.js";

describe("ResilientRetryHandler durability over HTTP", function () {
  this.timeout(15_000);
  let emu: GraphEmulator;

  before(async () => {
    emu = await startGraphEmulator({ limits: false });
  });
  after(() => emu.close());

  it("loses no acknowledged update under 10% 503/504 and 2% resets (300 PATCHes, concurrency 20)", async () => {
    emu.setFaults({ seed: 42, unavailable: 0.05, gatewayTimeout: 0.05, connectionReset: 0.02 });
    const handler = new ResilientRetryHandler({ maxRetries: 10, baseDelayMs: 2, maxDelayMs: 20 });
    let retried = 0;
    handler.onRetry(() => retried++);
    const client = clientWith(emu, handler);
    const total = 300;
    const acknowledged = new Map<string, number>();
    const failures: unknown[] = [];
    let nextIndex = 0;
    const worker = async (): Promise<void> => {
      while (nextIndex < total) {
        const i = nextIndex++;
        const id = `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;
        try {
          await client
            .api(SUMMARY)
            .header("client-request-id", id)
            .middlewareOptions([new IdempotentRequestOption()])
            .patch({ "@odata.type": ODATA_TYPE, compliantDeviceCount: i, displayName: `update ${i}` });
          acknowledged.set(id, i);
        } catch (error) {
          failures.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    expect(failures).to.deep.equal([]);
    expect(acknowledged.size).to.equal(total);
    const stats = emu.stats();
    expect(stats.byStatus["503"] ?? 0, "503s injected").to.be.greaterThan(0);
    expect(stats.byStatus["504"] ?? 0, "504s injected").to.be.greaterThan(0);
    expect(stats.byStatus.reset ?? 0, "resets injected").to.be.greaterThan(0);
    expect(retried).to.be.at.least((stats.byStatus["503"] ?? 0) + (stats.byStatus["504"] ?? 0) + (stats.byStatus.reset ?? 0));
    const applied = new Map(stats.applied.map((u) => [u.clientRequestId, u]));
    for (const [id, value] of acknowledged) {
      const update = applied.get(id);
      expect(update, `update ${id} applied`).to.not.equal(undefined);
      expect(update?.patch).to.deep.equal({ compliantDeviceCount: value, displayName: `update ${value}` });
      expect(update?.tenant).to.equal(TENANT);
    }
    const last = stats.applied[stats.applied.length - 1];
    expect(emu.entity(TENANT)?.compliantDeviceCount).to.equal(last?.patch.compliantDeviceCount);
  });
});
