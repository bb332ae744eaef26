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
      lateApply: 0.1,
    });
    const counts: Record<string, number> = {};
    for (let i = 0; i < 10_000; i += 1) {
      const { kind } = picker.pick(false);
      counts[kind] = (counts[kind] ?? 0) + 1;
    }
    for (const kind of ["unavailable-with-retry-after", "unavailable", "gateway-timeout", "connection-reset", "hang", "late-apply"]) {
      expect(counts[kind], kind).to.be.within(850, 1150);
    }
    expect(counts.none).to.be.within(3700, 4300);
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

  it("keeps the draws of existing settings when lateApply is added at 0, and carries lateApplyMs", () => {
    const faults = { seed: 21, unavailable: 0.3, hang: 0.2 };
    const before = createFaultPicker(faults);
    const after = createFaultPicker({ ...faults, lateApply: 0, lateApplyMs: 50 });
    expect(Array.from({ length: 50 }, () => after.pick(true))).to.deep.equal(Array.from({ length: 50 }, () => before.pick(true)));
    expect(after.lateApplyMs).to.equal(50);
    expect(createFaultPicker(undefined).lateApplyMs).to.equal(1000);
  });

  it("rejects shares outside 0..1, shares adding up to more than 1, and bad latencies", () => {
    for (const faults of [{ hang: 1.5 }, { unavailable: -0.1 }, { unavailable: 0.6, hang: 0.6 }, { latencyMs: -1 }, { latencyMs: { min: 5, max: 1 } }, { unavailableRetryAfterSeconds: -1 }, { lateApply: 2 }, { lateApplyMs: -1 }, { lateApplyMs: Infinity }]) {
      expect(() => createFaultPicker(faults), JSON.stringify(faults))
        .to.throw(InvalidOptionsError)
        .that.is.instanceOf(GraphClientError);
    }
  });

  it("draws the body faults with their shares, after the older kinds (so old seeds keep their sequence)", () => {
    const old = { seed: 5, unavailable: 0.2, hang: 0.1 };
    const a = createFaultPicker(old);
    const b = createFaultPicker({ ...old, stallAfterHeaders: 0.3, slowTrickle: 0.3 });
    const seqA = Array.from({ length: 200 }, () => a.pick(false).kind);
    const seqB = Array.from({ length: 200 }, () => b.pick(false).kind);
    // Every request the old settings faulted is faulted the same way; "none" turned into body faults.
    seqA.forEach((kind, i) => expect(kind === "none" ? ["none", "stall-after-headers", "slow-trickle"] : [kind]).to.include(seqB[i]));
    expect(new Set(seqB)).to.include.members(["stall-after-headers", "slow-trickle"]);
  });

  it("has trickle settings with defaults, and rejects bad ones", () => {
    expect(createFaultPicker(undefined).trickle).to.deep.equal({ chunkBytes: 8, intervalMs: 50 });
    expect(createFaultPicker({ trickleChunkBytes: 3, trickleIntervalMs: 0 }).trickle).to.deep.equal({ chunkBytes: 3, intervalMs: 0 });
    for (const faults of [{ trickleChunkBytes: 0 }, { trickleChunkBytes: 1.5 }, { trickleIntervalMs: -1 }, { trickleIntervalMs: Infinity }, { stallAfterHeaders: 2 }]) {
      expect(() => createFaultPicker(faults), JSON.stringify(faults)).to.throw(InvalidOptionsError);
    }
  });
});
