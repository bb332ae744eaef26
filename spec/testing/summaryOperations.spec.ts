import { expect } from "chai";
import { getSummary, patchSummary } from "../../lib/testing/summaryOperations.js";
import type { StoredSummary } from "../../lib/testing/softwareUpdateStatusSummary.js";

describe("testing/summaryOperations", () => {
  it("creates a tenant's entity on first successful read only", () => {
    const entities = new Map<string, StoredSummary>();
    expect(getSummary(entities, "t", new URLSearchParams("$select=bogus")).ok).to.equal(false);
    expect(entities.has("t")).to.equal(false);
    const result = getSummary(entities, "t", new URLSearchParams("select=errorUserCount&$expand=x"));
    expect(result.ok && Object.keys(result.body)).to.deep.equal(["@odata.type", "id", "errorUserCount"]);
    expect(entities.has("t")).to.equal(true);
  });

  it("applies a valid PATCH whole and leaves the entity untouched when any part is invalid", () => {
    const entities = new Map<string, StoredSummary>();
    const applied = patchSummary(entities, "t", JSON.stringify({ errorUserCount: 4, displayName: "a" }));
    expect(applied.ok && applied.patch).to.deep.equal({ errorUserCount: 4, displayName: "a" });
    const before = entities.get("t");
    const rejected = patchSummary(entities, "t", JSON.stringify({ errorUserCount: 5, unknownUserCount: "6" }));
    expect(rejected.ok).to.equal(false);
    expect(entities.get("t")).to.equal(before);
    expect(entities.get("t")?.errorUserCount).to.equal(4);
    expect(patchSummary(entities, "t", "{").ok).to.equal(false);
  });
});
