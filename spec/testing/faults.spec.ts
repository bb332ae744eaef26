import { expect } from "chai";
import { createFaultPicker } from "../../lib/testing/faults.js";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import { GraphClientError } from "@microsoft/microsoft-graph-client";

describe("testing/faults (picker)", () => {
  it("draws nothing without faults", () => {
    const picker = createFaultPicker(undefined);
    for (let i = 0; i < 10; i += 1) expect(picker.pick(true)).to.deep.equal({ kind: "none", latencyMs: 0 });
  });

  it("repeats the same sequence for the same seed", () => {
    const faults = { seed: 9, unavailable: 0.2, gatewayTimeout: 0.2, connectionReset: 0.1, hang: 0.1, latencyMs: { min: 1, max: 5 } };
    const a = createFaultPicker(faults);
    const b = createFaultPicker(faults);
    const c = createFaultPicker({ ...faults, seed: 10 });
    const seqA = Array.from({ length: 50 }, () => a.pick(true));
    expect(Array.from({ length: 50 }, () => b.pick(true))).to.deep.equal(seqA);
    expect(Array.from({ length: 50 }, () => c.pick(true))).to.not.deep.equal(seqA);
  });

  it("draws each kind with about its share", () => {
    const picker = createFaultPicker({
      seed: 3,
      unavailableWithRetryAfter: 0.1,
      unavailable: 0.1,
      gatewayTimeout: 0.1,
      connectionReset: 0.1,
      hang: 0.1,
    });
    const counts: Record<string, number> = {};
    for (let i = 0; i < 10_000; i += 1) {
      const { kind } = picker.pick(false);
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    for (const kind of ["unavailable-with-retry-after", "unavailable", "gateway-timeout", "connection-reset", "hang"]) {
      expect(counts[kind], kind).to.be.within(850, 1150);
    }
    expect(counts.none).to.be.within(4700, 5300);
  });

  it("draws fixed or uniform latency", () => {
    expect(createFaultPicker({ latencyMs: 25 }).pick(false)).to.deep.equal({ kind: "none", latencyMs: 25 });
    const picker = createFaultPicker({ latencyMs: { min: 10, max: 20 } });
    const values = Array.from({ length: 200 }, () => picker.pick(false).latencyMs);
    expect(Math.min(...values)).to.be.at.least(10).and.below(11);
    expect(Math.max(...values)).to.be.at.most(20).and.above(19);
  });

  it("spares reads with appliesTo: writes", () => {
    const picker = createFaultPicker({ hang: 1, appliesTo: "writes" });
    expect(picker.pick(false).kind).to.equal("none");
    expect(picker.pick(true).kind).to.equal("hang");
  });

  it("rejects shares outside 0..1, shares adding up to more than 1, and bad latencies", () => {
    for (const faults of [{ hang: 1.5 }, { unavailable: -0.1 }, { unavailable: 0.6, hang: 0.6 }, { latencyMs: -1 }, { latencyMs: { min: 5, max: 1 } }, { unavailableRetryAfterSeconds: -1 }]) {
      expect(() => createFaultPicker(faults), JSON.stringify(faults))
        .to.throw(InvalidOptionsError)
        .that.is.instanceOf(GraphClientError);
    }
  });
});
