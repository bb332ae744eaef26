import { expect } from "chai";
import { planRedirectHop, type RedirectHop } from "../../lib/auth/planRedirectHop.js";

const GRAPH = new URL("https://graph.microsoft.com/v1.0/deviceManagement/softwareUpdateStatusSummary");
const hop = (location: string, overrides: Partial<RedirectHop> = {}): ReturnType<typeof planRedirectHop> =>
  planRedirectHop({ method: "GET", from: GRAPH, status: 302, location, customHosts: [], ...overrides });

describe("auth/planRedirectHop", () => {
  it("resolves Location like a browser: relative values on the same origin keep the token", () => {
    const plan = hop("/beta/x?$select=id");
    expect(plan).to.include({ follow: true, method: "GET", keepBody: true, keepAuthorization: true });
    expect(plan.url?.href).to.equal("https://graph.microsoft.com/beta/x?$select=id");
    // Same scheme, no slashes: a path on the same origin (WHATWG), not another host.
    expect(hop("https:elsewhere").url?.href).to.equal("https://graph.microsoft.com/v1.0/deviceManagement/elsewhere");
  });

  it("reads http:/evil, http:evil and http:\\\\evil as the absolute http URLs they are, and refuses the downgrade", () => {
    for (const location of ["http:/evil.test/collect", "http:evil.test", "http:\\\\evil.test", "http://evil.test/", "HTTP://graph.microsoft.com/x"]) {
      const plan = hop(location);
      expect(plan, location).to.include({ follow: false, reason: "downgrade" });
      expect(plan.url?.protocol, location).to.equal("http:");
    }
  });

  it("drops the token on any change of origin: host, port or scheme", () => {
    expect(hop("//evil.test/x")).to.include({ follow: true, keepAuthorization: false });
    expect(hop("https://graph.microsoft.com:8443/x")).to.include({ follow: true, keepAuthorization: false });
    expect(hop("https://graph.microsoft.us/x")).to.include({ follow: true, keepAuthorization: false }); // another Graph host
    const fromHttp = new URL("http://127.0.0.1:8080/v1.0/x");
    expect(hop("https://127.0.0.1:8080/x", { from: fromHttp, customHosts: ["127.0.0.1"] })).to.include({ follow: true, keepAuthorization: false });
    expect(hop("/y", { from: fromHttp, customHosts: ["127.0.0.1"] })).to.include({ keepAuthorization: true });
  });

  it("keeps the token on the same origin only where checkTokenDestination allows it", () => {
    const plain = new URL("http://10.0.0.5/v1.0/x"); // plain http off this machine: never a token
    expect(hop("/y", { from: plain, customHosts: ["10.0.0.5"] })).to.include({ follow: true, keepAuthorization: false });
    expect(hop("/y", { from: new URL("https://example.com/x") })).to.include({ follow: true, keepAuthorization: false });
  });

  it("never turns a write into a GET and never lets it leave its origin", () => {
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(hop("/same", { method, status: 303 }), method).to.include({ follow: false, reason: "write-see-other" });
      for (const status of [301, 302, 307, 308]) {
        expect(hop("https://evil.test/x", { method, status }), `${method} ${status}`).to.include({ follow: false, reason: "write-cross-origin" });
        expect(hop("/same", { method, status }), `${method} ${status}`).to.include({ follow: true, method, keepBody: true, keepAuthorization: true });
      }
    }
  });

  it("turns a 303 answering OPTIONS into a GET without a body, and keeps GET and HEAD", () => {
    expect(hop("/x", { method: "OPTIONS", status: 303 })).to.include({ follow: true, method: "GET", keepBody: false });
    expect(hop("/x", { method: "HEAD", status: 303 })).to.include({ follow: true, method: "HEAD", keepBody: true });
    expect(hop("/x", { method: "GET", status: 303 })).to.include({ follow: true, method: "GET", keepBody: true });
  });

  it("refuses Locations that are not http(s) URLs", () => {
    expect(hop("file:///etc/passwd")).to.include({ follow: false, reason: "invalid-location" });
    expect(hop("javascript:alert(1)")).to.include({ follow: false, reason: "invalid-location" });
    expect(hop("http://[bad")).to.include({ follow: false, reason: "invalid-location", url: undefined });
  });
});
