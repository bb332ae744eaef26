import { expect } from "chai";
import fc from "fast-check";
import { createFixedWindow } from "../../lib/testing/fixedWindow.js";

describe("testing/fixedWindow", () => {
  it("admits `limit` per window and waits until the window's boundary, not one window after the first request", () => {
    const window = createFixedWindow(2, 1000);
    window.record(1200);
    expect(window.waitMs(1300)).to.equal(0);
    window.record(1300);
    // A sliding window would answer 900 (1200 + 1000 - 1300); the fixed window frees at 2000.
    expect(window.waitMs(1300)).to.equal(700);
    expect(window.waitMs(1999.5)).to.equal(0.5);
    expect(window.waitMs(2000)).to.equal(0);
  });

  it("resets the count at the boundary, so 2 × limit fit in a span shorter than one window", () => {
    const window = createFixedWindow(3, 1000);
    for (const at of [950, 960, 970]) {
      expect(window.waitMs(at)).to.equal(0);
      window.record(at);
    }
    expect(window.waitMs(999)).to.equal(1);
    for (const at of [1000, 1001, 1002]) {
      expect(window.waitMs(at)).to.equal(0);
      window.record(at);
    }
    expect(window.waitMs(1003)).to.equal(997);
  });

  it("reports use, the time until the window resets, and when it is idle", () => {
    const window = createFixedWindow(4, 100);
    expect([window.used(0), window.resetMs(0), window.idleAt()]).to.deep.equal([0, 0, -Infinity]);
    window.record(110);
    window.record(120);
    expect([window.used(130), window.quota(), window.resetMs(130), window.idleAt()]).to.deep.equal([2, 4, 70, 200]);
    expect(window.used(200)).to.equal(0);
  });

  it("keeps the window's count when the limit changes, so a lowered limit bites at once", () => {
    const window = createFixedWindow(4, 1000);
    for (const at of [0, 1, 2]) window.record(at);
    window.reshape({ limit: 2, windowMs: 1000, burst: 2 });
    expect(window.waitMs(3)).to.equal(997);
    window.reshape({ limit: 4, windowMs: 1000, burst: 4 });
    expect(window.waitMs(4)).to.equal(0);
  });

  it("never admits more than `limit` within one aligned window (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 500 }),
        fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 200 }),
        (limit, windowMs, gaps) => {
          const window = createFixedWindow(limit, windowMs);
          const perWindow = new Map<number, number>();
          let now = 0;
          for (const gap of gaps) {
            now += gap;
            const wait = window.waitMs(now);
            if (wait === 0) {
              window.record(now);
              const index = Math.floor(now / windowMs);
              perWindow.set(index, (perWindow.get(index) ?? 0) + 1);
            } else {
              // The wait ends exactly at the next boundary (probing moves the clock there: it only goes forward).
              expect((now + wait) % windowMs).to.be.closeTo(0, 1e-9);
              now += wait;
              expect(window.waitMs(now)).to.equal(0);
            }
          }
          for (const count of perWindow.values()) expect(count).to.be.at.most(limit);
        },
      ),
    );
  });
});
