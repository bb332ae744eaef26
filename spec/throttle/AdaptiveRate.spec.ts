import { expect } from "chai";
import { ADAPTIVE_DEFAULTS } from "../../lib/throttle/ThrottleHandlerOptions.js";
import { AdaptiveRate } from "../../lib/throttle/AdaptiveRate.js";
import type { RateChange } from "../../lib/throttle/ThrottleStore.js";

/** Applies a change the way every store must. */
function apply(controller: AdaptiveRate, change: RateChange, now: number): number {
  const raw = change.set ?? controller.rate * (change.multiply ?? 1) + (change.add ?? 0);
  const rate = Math.min(change.max, Math.max(change.min, raw));
  controller.changed(rate, now);
  return rate;
}

describe("AdaptiveRate", () => {
  const settings = { ...ADAPTIVE_DEFAULTS, initialRate: 10, slowStartIntervalMs: 50, increaseIntervalMs: 250, holdMs: 1000 };

  it("doubles in slow start only while the rate limits and the current rate has proved itself", () => {
    const c = new AdaptiveRate(settings, 0);
    expect(c.phase).to.equal("slow-start");
    expect(c.rate).to.equal(10);
    expect(c.increaseDue(100), "no demand").to.equal(undefined);
    c.limited();
    expect(c.increaseDue(100), "no answer at this rate yet").to.equal(undefined);
    c.succeeded(101, 60);
    expect(apply(c, c.increaseDue(110) as RateChange, 110)).to.equal(20);
    // Right after a change: neither demand nor proof yet.
    c.succeeded(120, 100);
    c.limited();
    expect(c.increaseDue(200)).to.equal(undefined);
    c.succeeded(200, 150);
    expect(c.increaseDue(155), "too soon").to.equal(undefined);
    expect(apply(c, c.increaseDue(200) as RateChange, 200)).to.equal(40);
  });

  it("waits two round trips between doublings when the server is slow", () => {
    const c = new AdaptiveRate(settings, 0);
    c.limited();
    c.succeeded(300, 0); // a 300 ms round trip
    expect(c.increaseDue(310)).to.equal(undefined);
    expect(c.increaseDue(600)).to.not.equal(undefined);
  });

  it("caps requests in flight during slow start, and not after", () => {
    const c = new AdaptiveRate(settings, 0);
    expect(c.inFlightCap).to.equal(4);
    c.succeeded(10, 0); // 10 ms round trip
    for (let i = 0; i < 6; i += 1) apply(c, { initial: 10, multiply: 2, min: 1, max: 2000 }, 10);
    expect(c.rate).to.equal(640);
    expect(c.inFlightCap).to.equal(Math.ceil((2 * 640 * 10) / 1000));
    c.throttledAt(20, 15, 1000);
    expect(c.inFlightCap).to.equal(undefined);
  });

  it("on a 429 snaps to the decrease factor times the success rate seen over the Retry-After", () => {
    const c = new AdaptiveRate(settings, 0);
    // 50 successes within the first 400 ms (a burst a 50-per-second window allows), rate 640.
    for (let i = 0; i < 50; i += 1) c.succeeded(i * 8, i * 8 - 5);
    apply(c, { initial: 10, set: 640, min: 1, max: 2000 }, 0);
    const change = c.throttledAt(400, 390, 1000) as RateChange;
    expect(change.set).to.be.closeTo(50 * ADAPTIVE_DEFAULTS.decreaseFactor, 0.01);
    expect(c.ceiling).to.be.closeTo(50, 0.01);
    expect(c.phase).to.equal("steady");
    expect(c.decreases).to.equal(1);
  });

  it("coalesces the 429s of one burst into one decrease", () => {
    const c = new AdaptiveRate(settings, 0);
    for (let i = 0; i < 40; i += 1) c.succeeded(i * 10, i * 10 - 5);
    apply(c, { initial: 10, set: 100, min: 1, max: 2000 }, 0);
    const first = c.throttledAt(400, 395, 1000) as RateChange;
    apply(c, first, 400);
    // Granted before the decrease: same burst.
    expect(c.throttledAt(405, 398, 1000)).to.equal(undefined);
    expect(c.throttledAt(410, 399, 1000)).to.equal(undefined);
    expect(c.throttled).to.equal(3);
    expect(c.decreases).to.equal(1);
    // Granted after it: a new signal.
    expect(c.throttledAt(2000, 1500, 1000)).to.not.equal(undefined);
    expect(c.decreases).to.equal(2);
  });

  it("halves when nothing succeeded to estimate from", () => {
    const c = new AdaptiveRate(settings, 0);
    expect((c.throttledAt(10, 5, undefined) as RateChange).set).to.be.closeTo((10 / 2) * ADAPTIVE_DEFAULTS.decreaseFactor, 1e-9);
  });

  it("climbs back to the plateau quickly, holds, then probes additively", () => {
    const c = new AdaptiveRate(settings, 0);
    for (let i = 0; i < 50; i += 1) c.succeeded(i * 10, i * 10 - 5);
    apply(c, c.throttledAt(500, 495, 1000) as RateChange, 500);
    const ceiling = c.ceiling as number;
    const plateau = ceiling * ADAPTIVE_DEFAULTS.plateauRatio;
    let now = 500;
    const step = (): RateChange | undefined => {
      now += 250;
      c.limited();
      c.succeeded(now, now - 1);
      const change = c.increaseDue(now);
      if (change !== undefined) apply(c, change, now);
      return change;
    };
    let reachedAt = Number.NaN;
    for (let i = 0; i < 20 && Number.isNaN(reachedAt); i += 1) {
      step();
      if (Math.abs(c.rate - plateau) < 1e-9) reachedAt = now;
    }
    expect(reachedAt, "reaches the plateau within a few steps").to.be.below(500 + 8 * 250);
    // Holds there for holdMs, then probes: each probe adds probeRatio × ceiling × step length.
    const held = c.rate;
    let firstProbe = Number.NaN;
    while (Number.isNaN(firstProbe)) if (step() !== undefined) firstProbe = now;
    expect(firstProbe - reachedAt).to.be.at.least(settings.holdMs);
    expect(firstProbe - reachedAt).to.be.at.most(settings.holdMs + 500);
    expect(c.rate - held).to.be.closeTo(ceiling * ADAPTIVE_DEFAULTS.probeRatio * 0.25, 1e-9);
    step();
    expect(c.rate - held).to.be.closeTo(2 * ceiling * ADAPTIVE_DEFAULTS.probeRatio * 0.25, 1e-9);
  });

  it("starts steady from a rate another process learned", () => {
    const c = new AdaptiveRate(settings, 0, 40);
    expect(c.phase).to.equal("steady");
    expect(c.rate).to.equal(40);
    expect(c.ceiling).to.be.closeTo(40 / ADAPTIVE_DEFAULTS.plateauRatio, 1e-9);
  });

  it("expresses the rate as a one-second window paced at burst × rate", () => {
    const c = new AdaptiveRate({ ...settings, burst: 4 }, 0, 49.7);
    expect(c.window).to.deep.equal({ limit: 49, windowMs: 1000 });
    expect(c.intervalMs).to.be.closeTo(1000 / (49.7 * 4), 1e-9);
    const slow = new AdaptiveRate(settings, 0, 0.5);
    expect(slow.window).to.deep.equal({ limit: 1, windowMs: 2000 });
  });
});
