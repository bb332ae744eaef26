import { expect } from "chai";
import { createStatsRecorder } from "../../lib/testing/statsRecorder.js";

describe("testing/statsRecorder", () => {
  it("tracks requests, outcomes, throttling, concurrency and the applied log", () => {
    const stats = createStatsRecorder();
    stats.requestStarted();
    stats.requestStarted();
    stats.requestEnded();
    stats.requestStarted();
    stats.outcome(200);
    stats.outcome(200);
    stats.outcome("reset");
    stats.outcome(429);
    stats.throttled(["a", "b"]);
    const entry = stats.applied({ tenant: "t", app: "a", version: "v1.0", patch: { x: 1 }, requestId: "r", clientRequestId: null, at: 5 });
    expect(entry.seq).to.equal(1);
    const snapshot = stats.snapshot();
    expect(snapshot).to.deep.include({ requests: 3, byStatus: { "200": 2, reset: 1, "429": 1 }, throttled: 1, throttledBy: { a: 1, b: 1 }, maxConcurrent: 2 });
    expect(snapshot.applied).to.deep.equal([entry]);
    expect(Object.isFrozen(entry.patch)).to.equal(true);
  });

  it("returns snapshots that later changes do not touch, and resets to the requests still in progress", () => {
    const stats = createStatsRecorder();
    stats.requestStarted();
    stats.requestStarted();
    stats.outcome(200);
    const before = stats.snapshot();
    stats.outcome(200);
    stats.applied({ tenant: "t", app: "a", version: "beta", patch: {}, requestId: "r", clientRequestId: "c", at: 1 });
    expect(before.byStatus).to.deep.equal({ "200": 1 });
    expect(before.applied).to.have.length(0);
    stats.requestEnded();
    stats.reset();
    expect(stats.snapshot()).to.deep.equal({ requests: 0, byStatus: {}, throttled: 0, throttledBy: {}, maxConcurrent: 1, applied: [] });
    expect(stats.applied({ tenant: "t", app: "a", version: "beta", patch: {}, requestId: "r", clientRequestId: "c", at: 1 }).seq).to.equal(1);
  });
});
