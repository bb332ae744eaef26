import { expect } from "chai";
import { scheduledLimit } from "../../lib/testing/limitSchedule.js";

describe("testing/limitSchedule", () => {
  const halved = [{ fromMs: 20_000, untilMs: 60_000, limit: 50 }];

  it("gives the base limit outside every phase and the phase's limit inside it (until exclusive)", () => {
    expect(scheduledLimit(100, halved, 19_999, 1)).to.equal(100);
    expect(scheduledLimit(100, halved, 20_000, 1)).to.equal(50);
    expect(scheduledLimit(100, halved, 59_999, 1)).to.equal(50);
    expect(scheduledLimit(100, halved, 60_000, 1)).to.equal(100);
  });

  it("scales phase times like windows, and an open phase lasts", () => {
    expect(scheduledLimit(100, halved, 999, 0.05)).to.equal(100);
    expect(scheduledLimit(100, halved, 1000, 0.05)).to.equal(50);
    expect(scheduledLimit(100, halved, 3000, 0.05)).to.equal(100);
    expect(scheduledLimit(100, [{ fromMs: 10, limit: 7 }], 1e12, 1)).to.equal(7);
  });

  it("lets a later phase win where phases overlap", () => {
    const schedule = [
      { fromMs: 0, untilMs: 100, limit: 10 },
      { fromMs: 50, untilMs: 80, limit: 3 },
    ];
    expect([40, 60, 90].map((at) => scheduledLimit(20, schedule, at, 1))).to.deep.equal([10, 3, 10]);
  });
});
