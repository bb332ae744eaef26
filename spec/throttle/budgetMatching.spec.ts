import { expect } from "chai";
import { GRAPH_HOSTS } from "../../lib/chain/graphHosts.js";
import { resolveBudgets } from "../../lib/throttle/budgetMatching.js";
import type { RequestTarget } from "../../lib/throttle/readRequestTarget.js";
import { INTUNE_DEVICE_CONFIGURATION_BUDGETS } from "../../lib/throttle/ThrottleBudget.js";

const target = (method: string, path: string): RequestTarget => ({
  host: "graph.microsoft.com",
  path,
  method,
  isWrite: ["POST", "PUT", "PATCH", "DELETE"].includes(method),
  workload: "",
});
const noMargin = { ratio: 0, ms: 0 };

describe("budget matching", () => {
  it("presets are the documented Intune device configuration limits", () => {
    const byName = Object.fromEntries(INTUNE_DEVICE_CONFIGURATION_BUDGETS.map((b) => [b.name, b]));
    expect(INTUNE_DEVICE_CONFIGURATION_BUDGETS.map((b) => [b.methods, b.scope, b.limit, b.windowMs])).to.deep.equal([
      ["write", "app", 100, 20_000],
      ["write", "tenant", 200, 20_000],
      ["any", "app", 1000, 20_000],
      ["any", "tenant", 2000, 20_000],
    ]);
    expect(Object.keys(byName)).to.have.length(4);
    const presets = resolveBudgets(INTUNE_DEVICE_CONFIGURATION_BUDGETS, 1, noMargin, "p");
    expect(presets.filter((b) => b.matches(target("PATCH", "/deviceManagement/softwareUpdateStatusSummary")))).to.have.length(4);
    expect(presets.filter((b) => b.matches(target("GET", "/deviceManagement/softwareUpdateStatusSummary")))).to.have.length(2);
    expect(presets.filter((b) => b.matches(target("GET", "/DEVICEMANAGEMENT")))).to.have.length(2);
    expect(presets.filter((b) => b.matches(target("GET", "/deviceManagementX")))).to.have.length(0);
    expect(presets.filter((b) => b.matches(target("PATCH", "/users/x")))).to.have.length(0);
    expect(GRAPH_HOSTS.has("graph.microsoft.com")).to.equal(true);
  });

  it("matches string prefixes case-insensitively, RegExps, functions and method lists", () => {
    const [prefix, regex, fn, list] = resolveBudgets(
      [
        { route: "/deviceManagement/", methods: "write", scope: "tenant", limit: 50, windowMs: 1000 },
        { route: /^\/users\/[^/]+$/g, methods: "any", scope: "app", limit: 5, windowMs: 1000 },
        { route: (path) => path.endsWith("/photo"), methods: "any", scope: "app", limit: 5, windowMs: 1000 },
        { route: "/", methods: ["get", "DELETE"], scope: "app", limit: 5, windowMs: 1000 },
      ],
      1,
      noMargin,
      "b",
    );
    expect(prefix?.matches(target("PATCH", "/devicemanagement/softwareUpdateStatusSummary"))).to.equal(true);
    expect(prefix?.matches(target("GET", "/deviceManagement/softwareUpdateStatusSummary"))).to.equal(false);
    // A global RegExp keeps no state between calls.
    expect([1, 2, 3].map(() => regex?.matches(target("GET", "/users/abc")))).to.deep.equal([true, true, true]);
    expect(fn?.matches(target("GET", "/me/photo"))).to.equal(true);
    expect(list?.matches(target("GET", "/x"))).to.equal(true);
    expect(list?.matches(target("PATCH", "/x"))).to.equal(false);
  });

  it("scales windows, adds the safety margin, and derives stable names", () => {
    const [b] = resolveBudgets([{ route: "/a", methods: "write", scope: "tenant", limit: 100, windowMs: 20_000 }], 0.05, { ratio: 0.01, ms: 10 }, "x");
    expect(b?.nominalWindowMs).to.equal(1000);
    expect(b?.windowMs).to.equal(1020);
    expect(b?.name).to.equal("/a|write|tenant|100/20000");
    const [f] = resolveBudgets([{ route: () => true, methods: "any", scope: "app", limit: 1, windowMs: 1 }], 1, noMargin, "fn-");
    expect(f?.name).to.equal("fn-0|any|app|1/1");
  });
});
