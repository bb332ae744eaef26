import { expect } from "chai";
import { startGraphEmulator, type GraphEmulator } from "../../lib/testing/index.js";
import type { GraphEmulatorOptions } from "../../lib/testing/types.js";
import { patchRequest as patch, SUMMARY } from "../support/batchRequests.js";

interface SubResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: { error?: { code?: string } };
}

describe("testing/startGraphEmulator: JSON batching ($batch)", function () {
  this.timeout(10_000);
  const started: GraphEmulator[] = [];
  const emulator = async (options: GraphEmulatorOptions): Promise<GraphEmulator> => {
    const emu = await startGraphEmulator({ retryAfterFormat: "fractional-seconds", ...options });
    started.push(emu);
    return emu;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((emu) => emu.close()));
  });
  async function post(emu: GraphEmulator, body: unknown, version = "v1.0"): Promise<{ status: number; json: { responses?: SubResponse[]; error?: { code: string; message: string } } }> {
    const response = await fetch(`${emu.url}${version}/$batch`, {
      ...emu.fetchOptions,
      method: "POST",
      headers: { authorization: "Bearer tenant-a", "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as { responses?: SubResponse[] } };
  }

  it("counts each request inside against the limits, with its own 429 and Retry-After", async () => {
    const emu = await emulator({ limits: [{ name: "w", requests: "write", scope: "tenant", limit: 3, windowMs: 1000 }] });
    const { status, json } = await post(emu, { requests: [1, 2, 3, 4, 5].map((n) => patch(String(n), n)).concat([{ id: "g", method: "GET", url: SUMMARY } as never]) });
    expect(status).to.equal(200);
    expect(json.responses?.map((r) => `${r.id}:${r.status}`)).to.deep.equal(["1:200", "2:200", "3:200", "4:429", "5:429", "g:200"]);
    expect(Number(json.responses?.[3]?.headers?.["Retry-After"])).to.be.within(0.5, 1);
    expect(json.responses?.[3]?.body?.error?.code).to.equal("TooManyRequests");
    const stats = emu.stats();
    expect(stats.throttled).to.equal(2);
    expect(stats.limits["w"]?.counted).to.equal(3);
    expect(stats.applied.map((u) => u.patch["compliantDeviceCount"])).to.deep.equal([1, 2, 3]);
  });

  it("runs dependsOn in order and answers 424 when a dependency failed", async () => {
    const emu = await emulator({ limits: false });
    const requests = [patch("c", 3, ["b"]), patch("b", 2, ["a"]), { ...patch("a", 1), body: { compliantDeviceCount: -5 } }, patch("z", 9), patch("y", 8, ["z"])];
    const { json } = await post(emu, { requests });
    expect(json.responses?.map((r) => `${r.id}:${r.status}`)).to.deep.equal(["c:424", "b:424", "a:400", "z:200", "y:200"]);
    expect(emu.stats().applied.map((u) => u.patch["compliantDeviceCount"])).to.deep.equal([9, 8]);
  });

  it("accepts sub-request URLs that name their version, as the official BatchRequestContent writes them, on beta too", async () => {
    const emu = await emulator({ limits: false });
    const { json } = await post(emu, { requests: [{ id: "1", method: "GET", url: `/beta${SUMMARY}?$select=id` }] }, "beta");
    expect(json.responses?.[0]?.status).to.equal(200);
    expect(Object.keys((json.responses?.[0]?.body ?? {}) as object)).to.include("id");
  });

  it("applies faults per request inside the batch, not to the batch as a whole", async () => {
    const emu = await emulator({ limits: false, faults: { gatewayTimeout: 0.5, appliesTo: "writes", seed: 11 } });
    const { status, json } = await post(emu, { requests: Array.from({ length: 20 }, (_, i) => patch(String(i), i)) });
    expect(status).to.equal(200);
    const statuses = json.responses?.map((r) => r.status) ?? [];
    expect(statuses.filter((s) => s === 504).length).to.be.within(4, 16);
    expect(statuses.filter((s) => s === 200).length).to.equal(emu.stats().applied.length);
    // Every draw a fault: the envelope is still answered, and each request inside it carries the fault.
    const always = await emulator({ limits: false, faults: { gatewayTimeout: 1 } });
    const all = await post(always, { requests: [patch("1", 1), patch("2", 2)] });
    expect(all.status).to.equal(200);
    expect(all.json.responses?.map((r) => r.status)).to.deep.equal([504, 504]);
  });

  it("refuses malformed batches with 400 and a Graph error body", async () => {
    const emu = await emulator({ limits: false });
    const cases: Array<[unknown, RegExp]> = [
      [{ requests: Array.from({ length: 21 }, (_, i) => patch(String(i), i)) }, /21 requests; the limit is 20/],
      [{ requests: [patch("1", 1), patch("1", 2)] }, /not unique/],
      [{ requests: [patch("1", 1, ["x"])] }, /depends on 'x'/],
      [{ requests: [patch("1", 1, ["2"]), patch("2", 2, ["1"])] }, /cycle/],
      ["{not json", /JSON with a 'requests' array/],
    ];
    for (const [body, message] of cases) {
      const { status, json } = await post(emu, body);
      expect(status).to.equal(400);
      expect(json.error?.code).to.equal("BadRequest");
      expect(json.error?.message).to.match(message);
    }
    expect(emu.stats().applied).to.have.length(0);
  });

  it("counts the envelope only in a limit whose path names the batch endpoint, and refuses it whole with 429", async () => {
    const emu = await emulator({ limits: [{ name: "batches", requests: "any", scope: "tenant", path: "/v1.0/$batch", limit: 1, windowMs: 1000 }] });
    expect((await post(emu, { requests: [patch("1", 1)] })).status).to.equal(200);
    const refused = await post(emu, { requests: [patch("1", 2)] });
    expect(refused.status).to.equal(429);
    expect(emu.stats().applied).to.have.length(1);
  });
});
