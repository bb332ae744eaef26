import { expect } from "chai";
import { lowerRate, sameRate } from "../../lib/throttle/sameRate.js";

describe("throttle/sameRate", () => {
  it("treats rates that differ by floating-point noise as the same, relative to their size", () => {
    expect(sameRate(30, 30.000000000001)).to.equal(true);
    expect(sameRate(2e6, 2e6 + 1e-4)).to.equal(true);
    expect(sameRate(0.5, 0.5 + 1e-10)).to.equal(true);
    expect(sameRate(30, 30.0001)).to.equal(false);
  });

  it("reads a rate as lower only beyond that noise", () => {
    expect(lowerRate(29.9, 30)).to.equal(true);
    expect(lowerRate(30 - 1e-12, 30)).to.equal(false);
    expect(lowerRate(31, 30)).to.equal(false);
  });
});
