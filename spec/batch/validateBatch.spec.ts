import { expect } from "chai";
import { validateBatch } from "../../lib/batch/validateBatch.js";
import { splitIntoBatches } from "../../lib/batch/splitIntoBatches.js";
import { withDependents } from "../../lib/batch/dependencies.js";
import { followUpRequests } from "../../lib/batch/subResponses.js";
import type { BatchRequestItem } from "../../lib/batch/batchTypes.js";
import { ValidationError } from "../../lib/errors/ValidationError.js";

const SUMMARY = "/deviceManagement/softwareUpdateStatusSummary";
const get = (id: string, dependsOn?: string[]): BatchRequestItem => ({ id, method: "GET", url: SUMMARY, ...(dependsOn ? { dependsOn } : {}) });

function issuesOf(items: readonly BatchRequestItem[]): string[] {
  try {
    validateBatch(items);
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    return (error as ValidationError).issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  return [];
}

describe("batch/validateBatch", () => {
  it("accepts a well-formed batch", () => {
    expect(issuesOf([get("1"), get("2", ["1"])])).to.deep.equal([]);
  });

  it("lists every problem at once: size, duplicate id, unknown dependsOn, cycle, absolute URL, bad patch", () => {
    const items: BatchRequestItem[] = [
      ...Array.from({ length: 18 }, (_, i) => get(`g${i}`)),
      get("a", ["b"]),
      get("b", ["a"]),
      get("g0"),
      get("c", ["nowhere"]),
      { id: "abs", method: "GET", url: "https://graph.microsoft.com/v1.0/me" },
      { id: "p", method: "PATCH", url: SUMMARY, body: { compliantDeviceCount: -1, nope: 1 } },
    ];
    const issues = issuesOf(items);
    expect(issues.some((i) => i.startsWith("requests: 24 requests"))).to.equal(true);
    expect(issues).to.include('requests[20].id: duplicate id "g0"');
    expect(issues.some((i) => i.startsWith("requests[21].dependsOn") && i.includes('"nowhere"'))).to.equal(true);
    expect(issues.some((i) => i.startsWith("requests: dependency cycle: a -> b -> a"))).to.equal(true);
    expect(issues.some((i) => i.startsWith("requests[22].url") && i.includes("absolute"))).to.equal(true);
    expect(issues.some((i) => i.startsWith("requests[23].body.compliantDeviceCount"))).to.equal(true);
    expect(issues.some((i) => i.startsWith("requests[23].body.nope"))).to.equal(true);
  });

  it("checks a summary patch whose URL names its version, as BatchRequestContent writes it", () => {
    const issues = issuesOf([{ id: "1", method: "PATCH", url: `/v1.0${SUMMARY}`, body: { compliantDeviceCount: "x" } }]);
    expect(issues.some((i) => i.startsWith("requests[0].body.compliantDeviceCount"))).to.equal(true);
  });
});

describe("batch/splitIntoBatches and dependsOn", () => {
  it("keeps every dependsOn chain in one batch, at most 20 per batch, original order inside", () => {
    const items = [
      ...Array.from({ length: 15 }, (_, i) => get(`s${i}`)),
      get("c0"),
      ...Array.from({ length: 9 }, (_, i) => get(`c${i + 1}`, [`c${i}`])),
      ...Array.from({ length: 10 }, (_, i) => get(`t${i}`)),
    ];
    const batches = splitIntoBatches(items);
    expect(batches.every((batch) => batch.length <= 20)).to.equal(true);
    expect(batches.flat().map((item) => item.id).sort()).to.deep.equal(items.map((item) => item.id).sort());
    const chain = batches.find((batch) => batch.some((item) => item.id === "c0")) ?? [];
    expect(chain.filter((item) => item.id.startsWith("c")).map((item) => item.id)).to.deep.equal(Array.from({ length: 10 }, (_, i) => `c${i}`));
    for (const batch of batches) {
      const positions = batch.map((item) => items.indexOf(item));
      expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
    }
  });

  it("refuses a chain longer than a batch", () => {
    const chain = [get("c0"), ...Array.from({ length: 20 }, (_, i) => get(`c${i + 1}`, [`c${i}`]))];
    expect(() => splitIntoBatches(chain)).to.throw(ValidationError, /21 requests are linked by dependsOn/);
  });

  it("re-sends a request with everything that depends on it, and drops dependsOn on ids that stay behind", () => {
    const items = [get("a"), get("b", ["a"]), get("c", ["b"]), get("d"), get("e", ["d"])];
    expect([...withDependents(items, new Set(["b"]))].sort()).to.deep.equal(["b", "c"]);
    const followUp = followUpRequests(items.filter((item) => ["b", "c"].includes(item.id)));
    expect(followUp.map((item) => item.dependsOn)).to.deep.equal([undefined, ["b"]]);
  });
});
