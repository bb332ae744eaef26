import { expect } from "chai";
import { matchRoute } from "../../lib/testing/routes.js";

describe("testing/routes", () => {
  it("matches the entity in v1.0 and beta, with a trailing slash, a query, and any case", () => {
    for (const [url, version] of [
      ["/v1.0/deviceManagement/softwareUpdateStatusSummary", "v1.0"],
      ["/beta/deviceManagement/softwareUpdateStatusSummary/", "beta"],
      ["/v1.0/devicemanagement/SOFTWAREUPDATESTATUSSUMMARY?$select=id", "v1.0"],
      ["//beta//deviceManagement/softwareUpdateStatusSummary/?a=b", "beta"],
    ] as const) {
      const route = matchRoute(url);
      expect(route.kind, url).to.equal("summary");
      if (route.kind === "summary") expect(route.version).to.equal(version);
    }
    const route = matchRoute("/v1.0/deviceManagement/softwareUpdateStatusSummary?$select=id,displayName&$expand=*");
    expect(route.kind === "summary" && route.query.get("$select")).to.equal("id,displayName");
  });

  it("names the first segment that matched nothing", () => {
    expect(matchRoute("/v2.0/deviceManagement/softwareUpdateStatusSummary")).to.deep.equal({ kind: "unknown", segment: "v2.0" });
    expect(matchRoute("/v1.0/deviceManagement/managedDevices")).to.deep.equal({ kind: "unknown", segment: "managedDevices" });
    expect(matchRoute("/v1.0/deviceManagement/softwareUpdateStatusSummary/x")).to.deep.equal({ kind: "unknown", segment: "x" });
    expect(matchRoute("/v1.0")).to.deep.equal({ kind: "unknown", segment: "" });
    expect(matchRoute("/")).to.deep.equal({ kind: "unknown", segment: "" });
  });
});
