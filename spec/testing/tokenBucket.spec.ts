import { expect } from "chai";
import fc from "fast-check";
import { createTokenBucket } from "../../lib/testing/tokenBucket.js";

describe("testing/tokenBucket", () => {
  it("starts full: admits a burst of `burst` at once, then one request per refill interval", () => {
    // 10 tokens per 1000 ms = one every 100 ms; capacity 3.
    const bucket = createTokenBucket(10, 1000, 3);
    for (let i = 0; i < 3; i += 1) {
      expect(bucket.waitMs(0)).to.equal(0);
      bucket.record(0);
    }
    expect(bucket.waitMs(0)).to.be.closeTo(100, 1e-9);
    expect(bucket.waitMs(40)).to.be.closeTo(60, 1e-9);
    expect(bucket.waitMs(100)).to.equal(0);
    bucket.record(100);
    expect(bucket.waitMs(150)).to.be.closeTo(50, 1e-9);
  });

  it("refills smoothly and never beyond its capacity", () => {
    const bucket = createTokenBucket(10, 1000, 3);
    for (let i = 0; i < 3; i += 1) bucket.record(0);
    expect(bucket.used(50)).to.be.closeTo(2.5, 1e-9);
    expect(bucket.resetMs(50)).to.be.closeTo(250, 1e-9);
    // A long idle spell fills it to 3, not to 100.
    expect(bucket.used(10_000)).to.equal(0);
    for (let i = 0; i < 3; i += 1) bucket.record(10_000);
    expect(bucket.waitMs(10_000)).to.be.closeTo(100, 1e-9);
  });

  it("defaults its capacity to the limit, and is idle once full", () => {
    const bucket = createTokenBucket(4, 400);
    expect(bucket.quota()).to.equal(4);
    expect(bucket.idleAt()).to.equal(-Infinity);
    bucket.record(1000);
    expect(bucket.idleAt()).to.be.closeTo(1100, 1e-9);
  });

  it("goes into debt when refused requests are counted, and the debt refills first", () => {
    const bucket = createTokenBucket(10, 1000, 1);
    bucket.record(0);
    bucket.record(0); // Counted although refused: -1 token.
    expect(bucket.waitMs(0)).to.be.closeTo(200, 1e-9);
    expect(bucket.used(0)).to.equal(2);
  });

  it("applies a new rate and capacity from now on", () => {
    const bucket = createTokenBucket(10, 1000, 5);
    for (let i = 0; i < 5; i += 1) bucket.record(0);
    bucket.reshape({ limit: 5, windowMs: 1000, burst: 2 });
    expect(bucket.waitMs(0)).to.be.closeTo(200, 1e-9);
    expect(bucket.quota()).to.equal(2);
    expect(bucket.used(10_000)).to.equal(0);
  });

  it("admits at most burst + rate × span in any span, and its waits are exact (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 10, max: 500 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200 }),
        (limit, windowMs, burst, gaps) => {
          const bucket = createTokenBucket(limit, windowMs, burst);
          const admitted: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            const wait = bucket.waitMs(now);
            if (wait === 0) {
              bucket.record(now);
              admitted.push(now);
            } else {
              // Probing moves the clock forward (it never goes back): just before the wait, then at it.
              expect(bucket.waitMs(now + wait * 0.99)).to.be.greaterThan(0);
              now += wait;
              expect(bucket.waitMs(now)).to.equal(0);
            }
          }
          for (let i = 0; i < admitted.length; i += 1) {
            for (let j = i; j < admitted.length; j += 1) {
              const span = (admitted[j] as number) - (admitted[i] as number);
              expect(j - i + 1).to.be.at.most(burst + (span * limit) / windowMs + 1e-6);
            }
          }
        },
      ),
    );
  });
});
