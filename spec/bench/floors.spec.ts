import { expect } from "chai";
import {
  concurrencyFloorMs,
  fixedWindowFloorMs,
  scheduledSlidingFloorMs,
  slidingWindowFloorMs,
  tokenBucketFloorMs,
} from "../../bench/lib/ideal.js";
import { binCounts, binsUntil, within } from "../../bench/lib/recovery.js";

describe("bench/lib floors and recovery", () => {
  it("sliding window: L at once, then L per window", () => {
    expect(slidingWindowFloorMs(250, 50, 1000)).to.equal(4000);
    expect(slidingWindowFloorMs(251, 50, 1000)).to.equal(5000);
    expect(slidingWindowFloorMs(50, 50, 1000)).to.equal(0);
  });

  it("fixed window: the start's offset into its window is saved, never below 0", () => {
    expect(fixedWindowFloorMs(250, 50, 1000, 300)).to.equal(3700);
    expect(fixedWindowFloorMs(40, 50, 1000, 300)).to.equal(0);
  });

  it("token bucket: the burst at once, then one per refill", () => {
    expect(tokenBucketFloorMs(250, 50, 1000, 50)).to.equal(4000);
    expect(tokenBucketFloorMs(30, 50, 1000, 50)).to.equal(0);
  });

  it("concurrency: N x latency / C", () => {
    expect(concurrencyFloorMs(400, 8, 100)).to.equal(5000);
  });

  it("a schedule with no phase matches the sliding floor; a halved limit leaves what was counted in the window", () => {
    expect(scheduledSlidingFloorMs(250, 50, 1000, [])).to.equal(4000);
    // 100 at 0, 50 at 1000 and 2000 (halved), then 100 per window from 3000: the 700th at 7000.
    expect(scheduledSlidingFloorMs(700, 100, 1000, [{ fromMs: 1000, untilMs: 3000, limit: 50 }])).to.equal(7000);
  });

  it("bins and windows until a bin is good enough", () => {
    const counts = binCounts([0, 10, 999, 1000, 2500, 5000], 0, 1000, 3);
    expect(counts).to.deep.equal([3, 1, 1]);
    expect(binsUntil(counts, (n) => n >= 1 && n < 3)).to.equal(2);
    expect(binsUntil(counts, (n) => n > 5)).to.equal(undefined);
    expect(within(45, 50, 0.1)).to.equal(true);
    expect(within(44, 50, 0.1)).to.equal(false);
  });
});
