import { expect } from "chai";
import { mulberry32 } from "../../lib/testing/prng.js";

describe("testing/prng", () => {
  it("repeats the same sequence for the same seed and differs for another seed", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 20 }, () => a());
    expect(Array.from({ length: 20 }, () => b())).to.deep.equal(seqA);
    expect(Array.from({ length: 20 }, () => c())).to.not.deep.equal(seqA);
  });

  it("draws roughly uniform values in [0, 1)", () => {
    const random = mulberry32(7);
    const buckets: number[] = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i += 1) {
      const value = random();
      expect(value).to.be.at.least(0).and.below(1);
      const bucket = Math.floor(value * 10);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    for (const count of buckets) expect(count).to.be.within(1800, 2200);
  });
});
