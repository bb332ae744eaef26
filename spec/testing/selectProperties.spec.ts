import { expect } from "chai";
import { selectProperties } from "../../lib/testing/selectProperties.js";
import { ALL_PROPERTIES, COUNTER_PROPERTIES, initialSummary, summaryIdFor } from "../../lib/testing/softwareUpdateStatusSummary.js";

describe("testing/selectProperties and the entity", () => {
  it("starts a tenant with displayName null, 14 zero counters and a stable GUID-like id", () => {
    const entity = initialSummary("contoso");
    expect(COUNTER_PROPERTIES).to.have.length(14);
    expect(Object.keys(entity)).to.deep.equal(["@odata.type", ...ALL_PROPERTIES]);
    expect(entity["@odata.type"]).to.equal("#microsoft.graph.softwareUpdateStatusSummary");
    expect(entity.displayName).to.equal(null);
    for (const counter of COUNTER_PROPERTIES) expect(entity[counter]).to.equal(0);
    expect(entity.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(summaryIdFor("contoso")).to.equal(entity.id);
    expect(summaryIdFor("fabrikam")).to.not.equal(entity.id);
  });

  it("returns only the selected properties plus id and @odata.type", () => {
    const result = selectProperties(initialSummary("t"), "errorUserCount, displayName");
    expect(result.ok && Object.keys(result.body)).to.deep.equal(["@odata.type", "id", "displayName", "errorUserCount"]);
  });

  it("returns everything for no $select or *", () => {
    const entity = initialSummary("t");
    expect(selectProperties(entity, null)).to.deep.equal({ ok: true, body: entity });
    expect(selectProperties(entity, "*")).to.deep.equal({ ok: true, body: entity });
  });

  it("rejects an unknown property, naming it", () => {
    expect(selectProperties(initialSummary("t"), "id,bogus")).to.deep.equal({
      ok: false,
      message: "Could not find a property named 'bogus' on type 'microsoft.graph.softwareUpdateStatusSummary'.",
    });
  });
});
