import { expect } from "chai";
import fc from "fast-check";
import { createSlidingWindow } from "../../lib/testing/slidingWindow.js";

describe("testing/slidingWindow", () => {
  it("admits `limit` at once, then waits exactly until the oldest admission leaves the window", () => {
    const window = createSlidingWindow(3, 1000);
    for (const at of [0, 100, 200]) {
      expect(window.waitMs(at)).to.equal(0);
      window.record(at);
    }
    expect(window.waitMs(300)).to.equal(700);
    expect(window.waitMs(999.5)).to.equal(0.5);
    expect(window.waitMs(1000)).to.equal(0);
    window.record(1000);
    // Now 100, 200 and 1000 are in the window; the next slot frees when 100 leaves.
    expect(window.waitMs(1000)).to.equal(100);
    expect(window.lastAt()).to.equal(1000);
  });

  it("has no fixed-window burst: at a window boundary it admits only the slots that expired", () => {
    const window = createSlidingWindow(4, 1000);
    for (const at of [900, 950, 990, 999]) window.record(at);
    // A fixed window starting at 1000 would admit 4 more here.
    expect(window.waitMs(1000)).to.equal(900);
    expect(window.waitMs(1900)).to.equal(0);
    window.record(1900);
    expect(window.waitMs(1900)).to.equal(50);
  });

  it("reports -Infinity as lastAt when empty", () => {
    expect(createSlidingWindow(2, 10).lastAt()).to.equal(-Infinity);
  });

  it("never admits more than `limit` in any span of `windowMs` (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200 }),
        (limit, windowMs, gaps) => {
          const window = createSlidingWindow(limit, windowMs);
          const admitted: number[] = [];
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            const wait = window.waitMs(now);
            if (wait === 0) {
              window.record(now);
              admitted.push(now);
            } else {
              // The wait is exact: admission is possible at now + wait, and not a moment before.
              expect(window.waitMs(now + wait)).to.equal(0);
              expect(window.waitMs(now + wait - 0.001)).to.be.greaterThan(0);
            }
          }
          for (let i = 0; i + limit < admitted.length; i += 1) {
            expect((admitted[i + limit] as number) - (admitted[i] as number)).to.be.at.least(windowMs);
          }
        },
      ),
    );
  });
});

describe("testing/slidingWindow as a LimitCounter", () => {
  it("reports the requests in the window, the time until all leave it, and when it is idle", () => {
    const window = createSlidingWindow(4, 1000);
    expect([window.used(0), window.quota(), window.resetMs(0), window.idleAt()]).to.deep.equal([0, 4, 0, -Infinity]);
    for (const at of [0, 300, 600]) window.record(at);
    expect([window.used(700), window.resetMs(700), window.idleAt()]).to.deep.equal([3, 900, 1600]);
    expect(window.used(1000)).to.equal(2);
  });

  it("keeps its history when the limit is lowered and restored, so neither change over-admits", () => {
    const window = createSlidingWindow(4, 1000);
    for (const at of [0, 10, 20, 30]) window.record(at);
    window.reshape({ limit: 2, windowMs: 1000, burst: 2 });
    // Two places back from the newest is 20: the window frees for the lower limit at 1020.
    expect(window.waitMs(100)).to.equal(920);
    window.reshape({ limit: 4, windowMs: 1000, burst: 4 });
    expect(window.waitMs(100)).to.equal(900);
    // Raising the limit beyond the ring's size grows it, oldest entries kept in order.
    window.reshape({ limit: 6, windowMs: 1000, burst: 6 });
    window.record(200);
    window.record(210);
    expect(window.waitMs(300)).to.equal(700);
    expect(window.used(300)).to.equal(6);
    expect(window.lastAt()).to.equal(210);
  });

  it("counts refused requests pushed in (countThrottled): each one pushes the wait out", () => {
    const window = createSlidingWindow(2, 1000);
    window.record(0);
    window.record(100);
    expect(window.waitMs(500)).to.equal(500);
    window.record(500);
    expect(window.waitMs(500)).to.equal(600);
  });
});
