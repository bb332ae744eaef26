import { expect } from "chai";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { CreateGraphClientOptions, GraphClient } from "../../lib/client/CreateGraphClientOptions.js";
import { createTestToken, startGraphEmulator, staticTokenProvider } from "../../lib/testing/index.js";
import type { GraphEmulator } from "../../lib/testing/types.js";
import type { BatchResponseItem } from "../../lib/batch/batchTypes.js";

const SUMMARY = "/deviceManagement/softwareUpdateStatusSummary";
const TOKEN = createTestToken({ tenantId: "tenant-parts", appId: "app-parts" });
const patch = (id: string, count: number, dependsOn?: string[]) => ({
  id,
  method: "PATCH",
  url: SUMMARY,
  headers: { "Content-Type": "application/json" },
  body: { compliantDeviceCount: count },
  ...(dependsOn === undefined ? {} : { dependsOn }),
});
type BatchBody = { responses: BatchResponseItem[] };

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
    const started = Date.now();
    const body = (await c.api("/$batch").post({ requests: Array.from({ length: 20 }, (_, i) => patch(String(i), i)) })) as BatchBody;
    expect(body.responses.map((r) => r.id)).to.deep.equal(Array.from({ length: 20 }, (_, i) => String(i)));
    expect(body.responses.every((r) => r.status === 200 && r.headers?.["x-attempts"] === "1")).to.equal(true);
    const stats = emu.stats();
    expect(stats.throttled, "sub-request 429s").to.equal(0);
    expect(stats.requests, "HTTP requests (parts)").to.be.at.least(3);
    // 8, 8, 4: the third part cannot go before two windows have slid.
    expect(Date.now() - started).to.be.at.least(2 * 300);
  });

  it("keeps each dependsOn chain in one part, and the server applies it in order", async () => {
    const c = await setUp(3, 300);
    const requests = [patch("a", 1), patch("b", 2, ["a"]), patch("c", 3), patch("d", 4, ["c"]), patch("e", 5, ["d"]), patch("f", 6)];
    const body = (await c.api("/$batch").post({ requests })) as BatchBody;
    // An unknown dependsOn in a part would be a 400 for the whole part.
    expect(body.responses.map((r) => `${r.id}:${r.status}`)).to.deep.equal(["a:200", "b:200", "c:200", "d:200", "e:200", "f:200"]);
    expect(emu.stats().throttled).to.equal(0);
    const applied = emu.stats().applied.map((u) => u.patch["compliantDeviceCount"]);
    expect(applied.indexOf(2)).to.be.greaterThan(applied.indexOf(1));
    expect(applied.indexOf(5)).to.be.greaterThan(applied.indexOf(4));
    expect(applied.indexOf(4)).to.be.greaterThan(applied.indexOf(3));
  });

  it("uses the room there is now instead of waiting for room for the whole batch", async () => {
    const c = await setUp(5, 1_000);
    await c.api("/$batch").post({ requests: [patch("1", 1), patch("2", 2), patch("3", 3)] });
    const sent = Date.now();
    await c.api("/$batch").post({ requests: [patch("4", 4), patch("5", 5), patch("6", 6), patch("7", 7)] });
    const applied = emu.stats().applied;
    const at = (count: number): number => applied.find((u) => u.patch["compliantDeviceCount"] === count)?.at ?? Number.NaN;
    // Two slots were free: 4 and 5 went at once; 6 and 7 waited for the window to slide.
    expect(at(5) - sent).to.be.below(300);
    expect(at(6) - at(5)).to.be.at.least(500);
    expect(emu.stats().throttled).to.equal(0);
  });
});
