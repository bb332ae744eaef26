import { expect } from "chai";
import { ADAPTIVE_DEFAULTS } from "../../lib/throttle/ThrottleHandlerOptions.js";
import { AdaptiveRate, SLOW_START_KEEP_MS } from "../../lib/throttle/AdaptiveRate.js";
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

  it("sharing a store, keeps in slow start its share of the fleet's in-flight cap", () => {
    const c = new AdaptiveRate(settings, 0);
    // A quarter of the shared window's grants are ours: one of four processes.
    for (let i = 0; i < 8; i += 1) c.sharedUse(5 * (i + 1), 20 * (i + 1));
    expect(c.inFlightCap, "a quarter of the floor of 4").to.equal(1);
    c.succeeded(10, 0); // 10 ms round trip
    for (let i = 0; i < 6; i += 1) apply(c, { initial: 10, multiply: 2, min: 1, max: 2000 }, 10);
    // The fleet's rate keeps 2 × 640 × 10 ms = 12.8 in flight: a quarter of it here.
    expect(c.inFlightCap).to.equal(Math.round((2 * 640 * 10) / 1000 / 4));
    // Alone again (a store's count no higher than ours): the whole cap.
    for (let i = 0; i < 8; i += 1) c.sharedUse(10, 10);
    expect(c.inFlightCap).to.equal(Math.ceil((2 * 640 * 10) / 1000));
  });

  it("sharing a store, keeps its share when the store's count says nothing: too few grants, or far fewer than this process sent in the window", () => {
    const c = new AdaptiveRate(settings, 0);
    for (let i = 0; i < 8; i += 1) c.sharedUse(5 * (i + 1), 20 * (i + 1));
    expect(c.inFlightCap, "a quarter of the floor of 4").to.equal(1);
    // Too few to say.
    c.sharedUse(3, 3);
    expect(c.inFlightCap).to.equal(1);
    // The store's window lost what this process granted in it (its key expired during a cooldown,
    // say): read as alone, the share would take refunds and the fleet's reading away.
    for (const all of [1, 5, 13]) c.sharedUse(30, all);
    expect(c.inFlightCap, "still a quarter").to.equal(1);
  });

  it("on a 429 with no window learned, holds exactly at the successes counted in the last second", () => {
    const c = new AdaptiveRate(settings, 0);
    // 50 successes within the first 400 ms (a burst a 50-per-second window allows), rate 640.
    for (let i = 0; i < 50; i += 1) c.succeeded(i * 8, i * 8 - 5);
    apply(c, { initial: 10, set: 640, min: 1, max: 2000 }, 0);
    const change = c.throttledAt(400, 390, 1000) as RateChange;
    // A count the server admitted in one second: no margin, and no plateau below it.
    expect(change.set).to.be.closeTo(50, 0.01);
    expect(c.ceiling).to.be.closeTo(50, 0.01);
    expect(c.phase).to.equal("steady");
    expect(c.decreases).to.equal(1);
  });

  describe("an anchored burst's first cooldown, ended early (EarlyCooldownEnd)", () => {
    /** A first burst anchored at 0: 50 requests granted 6 ms apart, each answered 5 ms later. */
    function firstBurst(): AdaptiveRate {
      const c = new AdaptiveRate(settings, 0);
      c.granted(0, 0);
      for (let i = 0; i < 50; i += 1) c.succeeded(i * 6 + 5, i * 6);
      apply(c, { initial: 10, set: 640, min: 1, max: 2000 }, 0);
      return c;
    }

    it("cools down to one second after the anchor was counted, not the whole-second Retry-After, and lets one request ask first", () => {
      const c = firstBurst();
      // The 429 at 320 says "1 s": the slot frees in (320, 1320]; the anchor, counted by 5, frees it by 1005.
      const cooldownMs = c.cooldownFor(320, 300, 1000, 1000);
      expect(cooldownMs).to.equal(685);
      expect(c.throttledAt(320, 300, 1000, cooldownMs), "the limit is learned as before").to.not.equal(undefined);
      expect(c.ceiling).to.be.closeTo(50, 0.01);
      expect(c.inFlightCap, "one request asks").to.equal(1);
      // The burst's other 429s hold to the early end too.
      expect(c.cooldownFor(330, 305, 1000, 1000)).to.equal(675);
      c.throttledAt(330, 305, 1000, 675);
      // The asking request is refused: "not yet", no cut, its slot goes back, and the cooldown runs to 1330 at most.
      expect(c.refusedAsking(1005)).to.equal(true);
      expect(c.cooldownFor(1010, 1005, 1000, 1000)).to.equal(320);
      expect(c.throttledAt(1010, 1005, 1000, 320)).to.equal(undefined);
      expect(c.decreases).to.equal(1);
      expect(c.inFlightCap).to.equal(1);
      // The next request comes back: everything goes again.
      c.succeeded(1345, 1340);
      expect(c.inFlightCap).to.equal(undefined);
      expect(c.refusedAsking(1350)).to.equal(false);
    });

    it("keeps the Retry-After when the burst teaches a window, while sharing a store, or without a burst of successes", () => {
      // Retry-After 3 s after a 320 ms burst: the window is learned from it (see anchoredShape); nothing is cut short.
      expect(firstBurst().cooldownFor(320, 300, 3000, 3000)).to.equal(3000);
      const shared = firstBurst();
      for (let i = 0; i < 8; i += 1) shared.sharedUse(5 * (i + 1), 20 * (i + 1));
      expect(shared.cooldownFor(320, 300, 1000, 1000), "a fleet").to.equal(1000);
      const none = new AdaptiveRate(settings, 0);
      none.granted(0, 0);
      expect(none.cooldownFor(20, 0, 1000, 1000), "nothing succeeded since the anchor").to.equal(1000);
      // An exact (fractional) Retry-After is the server's wait: nothing to gain.
      expect(firstBurst().cooldownFor(320, 300, 680, 680)).to.equal(680);
    });
  });

  /** 40 successes over 400 ms at a rate of 100, then the first 429 of the burst (at 400, granted at 395), not applied yet. */
  function firstDecreaseOfABurst(): { c: AdaptiveRate; change: RateChange } {
    const c = new AdaptiveRate(settings, 0);
    for (let i = 0; i < 40; i += 1) c.succeeded(i * 10, i * 10 - 5);
    apply(c, { initial: 10, set: 100, min: 1, max: 2000 }, 0);
    return { c, change: c.throttledAt(400, 395, 1000) as RateChange };
  }

  it("takes a refusal as its cooldown ends, before anything sent at the new rate came back, for a cooldown too short, not for a lower limit", () => {
    const c = learnedFifty(); // held at 50 per second from the 429 at 500, cooled down until 1500
    // Granted as the cooldown ended and refused: the server's wait was longer than its Retry-After.
    expect(c.throttledAt(1510, 1500, 1000), "no cut").to.equal(undefined);
    expect(c.rate).to.equal(50);
    // Once a request sent at 50 per second came back, a refusal is about the rate again.
    c.succeeded(2560, 2510);
    expect(c.throttledAt(2700, 2600, 1000), "a cut").to.not.equal(undefined);
  });

  it("coalesces the 429s of one burst into one decrease", () => {
    const { c, change: first } = firstDecreaseOfABurst();
    apply(c, first, 400);
    // Granted before the decrease: same burst.
    expect(c.throttledAt(405, 398, 1000)).to.equal(undefined);
    expect(c.throttledAt(410, 399, 1000)).to.equal(undefined);
    expect(c.throttled).to.equal(3);
    expect(c.decreases).to.equal(1);
    // Granted after it, once a request sent at the new rate came back: a new signal.
    c.succeeded(1490, 1420);
    expect(c.throttledAt(2000, 1500, 1000)).to.not.equal(undefined);
    expect(c.decreases).to.equal(2);
  });

  it("halves when nothing succeeded to estimate from", () => {
    const c = new AdaptiveRate(settings, 0);
    expect((c.throttledAt(10, 5, undefined) as RateChange).set).to.be.closeTo((10 / 2) * ADAPTIVE_DEFAULTS.decreaseFactor, 1e-9);
  });

  /** Demand that the rate holds back, from `from` on: each step moves the clock by `everyMs`, sees one success, and applies the increase due, if any. */
  function steadyDemand(c: AdaptiveRate, from: number, everyMs: number): { step: () => RateChange | undefined; clock: () => number; moveTo: (t: number) => void } {
    let now = from;
    const step = (): RateChange | undefined => {
      now += everyMs;
      c.limited();
      c.succeeded(now, now - 1);
      const change = c.increaseDue(now);
      if (change !== undefined) apply(c, change, now);
      return change;
    };
    return { step, clock: () => now, moveTo: (t) => (now = t) };
  }

  /** 50 successes in the first 500 ms at a rate of 640, then a 429 at 500: held at exactly 50 per second from then. */
  function learnedFifty(): AdaptiveRate {
    const c = new AdaptiveRate(settings, 0);
    for (let i = 0; i < 50; i += 1) c.succeeded(i * 10, i * 10 - 5);
    apply(c, { initial: 10, set: 640, min: 1, max: 2000 }, 0);
    apply(c, c.throttledAt(500, 495, 1000) as RateChange, 500);
    return c;
  }

  it("climbs back to the plateau quickly, holds, then probes additively", () => {
    const c = new AdaptiveRate(settings, 0);
    for (let i = 0; i < 50; i += 1) c.succeeded(i * 10, i * 10 - 5);
    apply(c, c.throttledAt(500, 495, 1000) as RateChange, 500);
    const ceiling = c.ceiling as number;
    const plateau = ceiling * ADAPTIVE_DEFAULTS.plateauRatio;
    const { step, clock } = steadyDemand(c, 500, 250);
    let reachedAt = Number.NaN;
    for (let i = 0; i < 20 && Number.isNaN(reachedAt); i += 1) {
      step();
      if (Math.abs(c.rate - plateau) < 1e-9) reachedAt = clock();
    }
    expect(reachedAt, "reaches the plateau within a few steps").to.be.below(500 + 8 * 250);
    // Holds there for holdMs (at most two one-second windows), then probes as a one-second window:
    // 1 request per second more, then 2 more a second later, while each step lasts.
    const held = c.rate;
    let firstProbe = Number.NaN;
    while (Number.isNaN(firstProbe)) if (step() !== undefined) firstProbe = clock();
    expect(firstProbe - reachedAt).to.be.at.least(settings.holdMs);
    expect(firstProbe - reachedAt).to.be.at.most(settings.holdMs + 1000 + 250);
    expect(c.rate - held).to.be.closeTo(1, 1e-9);
    let secondProbe = Number.NaN;
    while (Number.isNaN(secondProbe)) if (step() !== undefined) secondProbe = clock();
    expect(secondProbe - firstProbe).to.be.at.least(1000);
    expect(c.rate - held).to.be.closeTo(3, 1e-9);
  });

  it("a failed probe step falls back to the count the server admitted, no lower than the proven rate", () => {
    const c = learnedFifty();
    expect(c.rate).to.equal(50);
    const { step, clock } = steadyDemand(c, 500, 100);
    while (!c.probeOvershoot(clock())) step();
    const now = clock();
    const probed = c.rate;
    expect(probed).to.be.above(50);
    // Few answers were counted in the last second (10 here): the fallback keeps the proven rate.
    const change = c.throttledAt(now + 50, now + 10, 1000) as RateChange;
    expect(change.set).to.be.within(50, probed);
    expect(c.probeOvershoot(now + 10), "a grant of the failed step").to.equal(true);
    // Until the 429's Retry-After (1 s) has let the overshoot out of the server's window, later
    // grants meet it too: their 429s neither cool down nor cut the limit again.
    expect(c.probeOvershoot(now + 60 + 900), "a grant while the overshoot is still counted").to.equal(true);
    expect(c.claimProbeOvershoot(now + 960), "taken as the step's overshoot, as the handler does").to.equal(true);
    expect(c.throttledAt(now + 1000, now + 960, 1000), "no second cut").to.equal(undefined);
    expect(c.probeOvershoot(now + 50 + 1000), "a grant after it").to.equal(false);
  });

  /** Learns 50 per second exactly at 500, holds it (at its plateau from 800), then a 429 at 1600 with 10 successes in the last second: a drop to about 10. */
  function droppedFromFifty(): { c: AdaptiveRate; step: () => RateChange | undefined; clock: () => number; dropped: number } {
    const c = learnedFifty();
    const { step, clock, moveTo } = steadyDemand(c, 500, 100);
    while (clock() < 1500) step();
    expect(c.rate, "held at the learned limit").to.equal(50);
    apply(c, c.throttledAt(1600, 1595, 1000) as RateChange, 1600);
    moveTo(1600);
    expect(c.rate, "the drop").to.be.within(9, 11);
    return { c, step, clock, dropped: c.rate };
  }

  it("climbs back toward a limit that dropped: a hold after the drop, then steps from an eighth of the way (of the rate it dropped to, when less), doubling", () => {
    const { c, step, clock, dropped } = droppedFromFifty();
    // An eighth of what was lost, but no more than an eighth of the rate now (a drop to a fifth
    // here): a first step as large as the rate again fails with that many 429s when the level
    // was a token bucket's burst, never a rate. Then twice and four times that, …, then the rest.
    const eighth = Math.min(50 - dropped, dropped) / 8;
    const expected: number[] = [];
    for (let k = 1; dropped + eighth * (2 ** k - 1) < 50; k += 1) expected.push(dropped + eighth * (2 ** k - 1));
    expected.push(50);
    const increases: { at: number; rate: number }[] = [];
    while (increases.length < expected.length + 1 && clock() < 30_000) if (step() !== undefined) increases.push({ at: clock(), rate: c.rate });
    // One hold (holdMs) after the drop, and a whole (one-second) window between steps.
    expect(increases[0]?.at).to.equal(2600);
    for (let i = 1; i < increases.length; i += 1) expect((increases[i]?.at ?? 0) - (increases[i - 1]?.at ?? 0)).to.be.at.least(1000);
    expect(expected.length, "back at 50 within six windows after the hold").to.be.at.most(6);
    increases.slice(0, expected.length).forEach((x, i) => expect(x.rate, `step ${i + 1}`).to.be.closeTo(expected[i] ?? NaN, 1e-9));
    // Above the former level, probing starts again from one request per window.
    expect(increases[expected.length]?.rate).to.be.closeTo(51, 1e-9);
  });

  it("a failed step back toward a dropped limit climbs again after a longer hold; a second failure forgets the level", () => {
    const { c, step, clock, dropped } = droppedFromFifty();
    const firstStep = Math.min(50 - dropped, dropped) / 8;
    const failNextStep = (): { at: number; fellTo: number } => {
      const before = c.rate;
      while (step() === undefined && clock() < 30_000);
      expect(c.rate - before, "a first step back: an eighth of what was lost").to.be.closeTo(firstStep, 1e-9);
      expect(c.probeOvershoot(clock() + 10)).to.equal(true);
      const change = c.throttledAt(clock() + 50, clock() + 10, 1000);
      if (change !== undefined) apply(c, change, clock() + 50);
      return { at: clock(), fellTo: c.rate };
    };
    const first = failNextStep();
    expect(first.at, "one hold after the drop").to.equal(2600);
    expect(first.fellTo, "back to about the level that lasted").to.be.below(dropped + firstStep).and.at.least(dropped);
    // The same first step again, once the doubled hold (two windows here) has passed since the drop.
    const second = failNextStep();
    expect(second.at).to.be.at.least(1600 + 2 * settings.holdMs);
    let next: RateChange | undefined;
    while (next === undefined && clock() < 40_000) next = step();
    expect(next, "probing resumes").to.not.equal(undefined);
    expect(c.rate - second.fellTo, "a one-request step: the level is given up").to.be.at.most(1 + 1e-9);
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

  describe("sharing a store with other processes", () => {
    /** `n` successes from `start`, `gap` ms apart, while this process makes `share` of the store's grants. */
    function sharedBurst(c: AdaptiveRate, start: number, n: number, gap: number, share: number): number {
      for (let i = 0; i < n; i += 1) {
        const at = start + i * gap;
        c.sharedUse(i + 1, Math.max(1, Math.round((i + 1) / share)));
        c.granted(at, 0);
        c.succeeded(at + 5, at);
      }
      return start + (n - 1) * gap + 5;
    }

    it("reads a limit for the whole fleet: the successes seen here over this process's share of the store's grants", () => {
      const c = new AdaptiveRate(settings, 0);
      // 100 per 5 s shared by four processes: this one got 25 of the first 100 grants.
      const last = sharedBurst(c, 0, 25, 40, 0.25);
      apply(c, c.throttledAt(last + 10, last + 5, 3995) as RateChange, last + 10);
      expect(c.windowMs).to.equal(last + 10 + 3995);
      expect(c.window.limit, "the fleet's limit, not this process's quarter of it").to.be.within(96, 100);
    });

    describe("counting the fleet's first burst in the store", () => {
      /** A fleet's burst of 100 per 5 s: this process got 25 successes while its share read about 0.26 (so it reads 95), then a whole-second 429. */
      function learnedFromShare(): { c: AdaptiveRate; last: number } {
        const c = new AdaptiveRate(settings, 0);
        const last = sharedBurst(c, 0, 25, 20, 0.26);
        expect(c.refusalGivenBack(last), "a refused request of the burst goes back to the store").to.equal(true);
        apply(c, c.throttledAt(last + 10, last + 5, 5000) as RateChange, last + 10);
        return { c, last };
      }

      it("holds the store's count of the burst, exactly, in place of the share's estimate", () => {
        const { c, last } = learnedFromShare();
        expect(c.window.limit, "the share's estimate, on the low side").to.equal(95);
        const count = c.takeFleetCount();
        expect(count, "once the burst's answers are in (four round trips, at least 250 ms), from a window before the anchor").to.deep.equal({ delayMs: 250, since: -1000 });
        expect(c.takeFleetCount(), "scheduled once").to.equal(undefined);
        // A straggler the store granted just before the cooldown reached it is given back too.
        expect(c.refusalGivenBack(last + 20)).to.equal(true);
        c.fleetCounted(100);
        expect(c.refusalGivenBack(last + 20), "counted: a later refusal is the learned limit's own").to.equal(false);
        const change = c.increaseDue(last + 300) as RateChange;
        expect(change.set).to.be.closeTo((100 * 1000) / (c.windowMs as number), 1e-9);
        apply(c, change, last + 300);
        expect(c.window.limit).to.equal(100);
      });

      it("keeps the estimate when the store does not answer, or holds less than this process alone saw succeed", () => {
        for (const answer of [undefined, 24]) {
          const { c, last } = learnedFromShare();
          c.takeFleetCount();
          c.fleetCounted(answer);
          expect(c.increaseDue(last + 300), `answer ${String(answer)}`).to.equal(undefined);
          expect(c.window.limit).to.equal(95);
        }
      });

      it("counts nothing, and gives no refusal back, alone", () => {
        const c = new AdaptiveRate(settings, 0);
        const last = sharedBurst(c, 0, 100, 10, 1);
        expect(c.refusalGivenBack(last)).to.equal(false);
        apply(c, c.throttledAt(last + 10, last + 5, 4000) as RateChange, last + 10);
        expect(c.takeFleetCount()).to.equal(undefined);
        expect(c.window.limit).to.equal(100);
      });

      it("asks the store to keep slow start's grants beyond its one-second window, and counts a burst that lasted longer than a second", () => {
        const c = new AdaptiveRate(settings, 0);
        expect(c.keepMs, "slow start").to.equal(SLOW_START_KEEP_MS);
        // 25 successes over 1.2 s (a fleet's slow start, traced at 1.0-1.4 s): all still in the store.
        const last = sharedBurst(c, 0, 25, 50, 0.25);
        apply(c, c.throttledAt(last + 10, last + 5, 5000) as RateChange, last + 10);
        expect(c.windowMs).to.not.equal(undefined);
        expect(c.takeFleetCount()).to.deep.equal({ delayMs: 250, since: -1000 });
        expect(c.keepMs, "a learned window keeps its grants for the window").to.equal(undefined);
      });
    });

    describe("counting the fleet's first second in the store, with no window learned", () => {
      /** 40 per second shared by four: this process got 10 successes in 200 ms while its share read about 0.27 (smoothed: it reads 36), then a whole-second 429. */
      function perSecondFromShare(): { c: AdaptiveRate; last: number } {
        const c = new AdaptiveRate({ ...settings, initialRate: 80 }, 0);
        const last = sharedBurst(c, 0, 10, 20, 0.27);
        apply(c, c.throttledAt(last + 10, last + 5, 1000) as RateChange, last + 10);
        expect(c.windowMs, "a whole-second Retry-After as long as the window: none learned").to.equal(undefined);
        return { c, last };
      }

      it("holds the store's count of the burst's second, exactly, in place of the share's estimate", () => {
        const { c, last } = perSecondFromShare();
        expect(c.window.limit, "the share's estimate, on the low side").to.equal(36);
        expect(c.takeFleetCount(), "from a second before the anchor").to.deep.equal({ delayMs: 250, since: -1000 });
        expect(c.refusalGivenBack(last + 20), "a straggler of the burst goes back to the store").to.equal(true);
        c.fleetCounted(40);
        const change = c.increaseDue(last + 300) as RateChange;
        expect(change.set).to.equal(40);
        apply(c, change, last + 300);
        expect(c.window).to.deep.equal({ limit: 40, windowMs: 1000 });
      });

      it("keeps the estimate when a window was learned before the count came (the count was of a second, not of it)", () => {
        const { c, last } = perSecondFromShare();
        c.takeFleetCount();
        c.learnWindow(5000);
        c.fleetCounted(40);
        expect(c.increaseDue(last + 300)).to.equal(undefined);
      });

      it("counts nothing when the burst began more than a second before its 429 (the store's second let its oldest grants go)", () => {
        const c = new AdaptiveRate({ ...settings, initialRate: 80 }, 0);
        // 10 successes, a pause of 900 ms, 10 more: the last second's count reads as exactly as above.
        sharedBurst(c, 0, 10, 20, 0.27);
        const last = sharedBurst(c, 1100, 10, 20, 0.27);
        apply(c, c.throttledAt(last + 10, last + 5, 1000) as RateChange, last + 10);
        expect(c.windowMs).to.equal(undefined);
        expect(c.window.limit, "held exactly, from the last second's count").to.equal(36);
        expect(c.takeFleetCount()).to.equal(undefined);
      });
    });

    it("measures W from the fleet's first grant when another process started the burst earlier", () => {
      const c = new AdaptiveRate(settings, 0);
      // Another process's first grant was 300 ms before ours (the store says so with our first grant).
      c.sharedUse(1, 30);
      c.granted(300, 0, 300);
      c.succeeded(305, 300);
      for (let i = 1; i < 25; i += 1) {
        c.sharedUse(i + 1, 4 * (i + 1));
        c.granted(300 + i * 20, 1);
        c.succeeded(305 + i * 20, 300 + i * 20);
      }
      apply(c, c.throttledAt(800, 790, 4200) as RateChange, 800);
      // From our own first grant W would be 800 + 4200 − 300 = 4700: shorter than the server's 5000.
      expect(c.windowMs).to.equal(5000);
    });

    it("reads exactly what it saw while it makes (nearly) all of the store's grants", () => {
      const c = new AdaptiveRate(settings, 0);
      const last = sharedBurst(c, 0, 100, 10, 1);
      apply(c, c.throttledAt(last + 10, last + 5, 3995) as RateChange, last + 10);
      expect(c.window.limit).to.equal(100);
      // A store that lags by a settle or two still counts as alone.
      const lagging = new AdaptiveRate(settings, 0);
      const end = sharedBurst(lagging, 0, 100, 10, 0.95);
      apply(lagging, lagging.throttledAt(end + 10, end + 5, 3995) as RateChange, end + 10);
      expect(lagging.window.limit).to.equal(100);
    });

    it("sends every increase with onlyIf; an answer below it is another process's decrease, taken as its own", () => {
      const c = new AdaptiveRate(settings, 0);
      c.limited();
      c.succeeded(60, 55);
      const doubling = c.increaseDue(100) as RateChange;
      expect(doubling).to.include({ onlyIf: 10, multiply: 2 });
      // Another process cut the shared rate to 6 meanwhile: the store answers the rate as it is.
      c.increased(6, doubling, 100);
      expect(c.rate).to.equal(6);
      expect(c.phase, "slow start ends").to.equal("steady");
      // 429s of requests granted here before that belong to the burst the other process answered.
      expect(c.throttledAt(120, 90, 1000)).to.equal(undefined);
      expect(c.decreases).to.equal(0);
      // One granted later, once a request sent at that rate came back, is a new signal.
      c.succeeded(1180, 1150);
      expect(c.throttledAt(1500, 1200, 1000)).to.not.equal(undefined);
      // An increase the store applied is just a change.
      const d = new AdaptiveRate(settings, 0);
      d.limited();
      d.succeeded(60, 55);
      const ok = d.increaseDue(100) as RateChange;
      d.increased(20, ok, 100);
      expect(d.phase).to.equal("slow-start");
      expect(d.rate).to.equal(20);
    });

    it("ends slow start when the store says some process learned a limit, even at a rate above its own", () => {
      const c = new AdaptiveRate(settings, 0);
      c.synced(80, undefined, 500, false);
      expect(c.phase, "a higher shared rate alone: another process's slow start").to.equal("slow-start");
      c.synced(37, undefined, 1000, true);
      expect(c.phase).to.equal("steady");
      expect(c.rate).to.equal(37);
      c.limited();
      c.succeeded(1100, 1050);
      expect(c.increaseDue(1300), "no doubling above what the other process found").to.equal(undefined);
      const lower = new AdaptiveRate(settings, 0);
      lower.synced(4, undefined, 1000, false);
      expect(lower.phase, "a rate below ours: someone decreased").to.equal("steady");
    });

    it("counts 429s of requests granted before its own decrease reached the store as part of that burst", () => {
      const { c, change } = firstDecreaseOfABurst();
      // The store answered 30 ms later; requests granted meanwhile went at the old rate.
      apply(c, change, 430);
      expect(c.throttledAt(440, 420, 1000)).to.equal(undefined);
      expect(c.decreases).to.equal(1);
    });
  });

  describe("probing above a learned window", () => {
    const slow = { ...settings, holdMs: 10_000 };

    /** 20 per 2000 ms, learned from an anchored burst of 20 at t = 0..95 and a 429 at 110 whose exact Retry-After ends the window at 2000. */
    function learnedTwenty(tuning = settings): AdaptiveRate {
      const c = new AdaptiveRate(tuning, 0);
      for (let i = 0; i < 20; i += 1) {
        c.granted(i * 5, i);
        c.succeeded(i * 5 + 5, i * 5);
      }
      apply(c, c.throttledAt(110, 105, 1890) as RateChange, 110);
      expect(c.window).to.deep.equal({ limit: 20, windowMs: 2000 });
      return c;
    }

    /** A burst of `n` requests from `at`, 1 ms apart, each answered 5 ms later; then any due increase, applied. */
    function windowBurst(c: AdaptiveRate, at: number, n: number): { change: RateChange | undefined; end: number; shown: number } {
      let shown = 0;
      for (let i = 0; i < n; i += 1) {
        c.granted(at + i, i);
        c.limited();
        if (c.succeeded(at + i + 5, at + i)) shown += 1;
      }
      const end = at + n + 5;
      const change = c.increaseDue(end);
      if (change !== undefined) apply(c, change, end);
      return { change, end, shown };
    }

    /** Bursts of the learned limit every window from 2200 until one ends with a probe step; returns when. */
    function untilProbe(c: AdaptiveRate, from = 2200): number {
      for (let t = from; t < 60_000; t += 2000) {
        const { change, end } = windowBurst(c, t, c.window.limit);
        if (change?.add !== undefined) return end;
      }
      throw new Error("no probe step");
    }

    it("takes the next step at once when a burst shows the step's level, in steps of at most a sixteenth of it", () => {
      const c = learnedTwenty();
      const probeAt = untilProbe(c);
      expect(c.window.limit, "the first step: one request").to.equal(21);
      // The step's request goes at once and is admitted: 21 in the last second, the level is shown.
      c.granted(probeAt + 1, 0);
      expect(c.succeeded(probeAt + 6, probeAt + 1), "the level is shown").to.equal(true);
      c.granted(probeAt + 7, 0);
      expect(c.succeeded(probeAt + 12, probeAt + 7), "said once per step").to.equal(false);
      // The next step comes at once (the level holds requests back), not a window later, and by at
      // most max(1 request, 21 / 16).
      c.limited();
      const change = c.increaseDue(probeAt + 12);
      apply(c, change as RateChange, probeAt + 12);
      expect(change?.add).to.be.above(0);
      expect(((change?.add ?? 0) * 2000) / 1000).to.be.at.most(Math.max(1, 21 / 16) + 1e-9);
      // A step that then fails falls back to the level the burst showed, not below it.
      const level = c.rate;
      const fallback = c.throttledAt(probeAt + 40, probeAt + 30, 1500) as RateChange;
      expect(fallback.set).to.be.within(10.5 - 1e-9, level - 1e-9);
    });

    it("waits a window between steps when its share of a shared store's traffic says others send too", () => {
      const c = learnedTwenty();
      for (let i = 0; i < 4; i += 1) c.sharedUse(20, 80);
      const probeAt = untilProbe(c);
      const { change, shown } = windowBurst(c, probeAt + 1, 1);
      expect(shown).to.equal(0);
      expect(change).to.equal(undefined);
    });

    it("doubles the hold before the next probe only when the same level fails again", () => {
      const c = learnedTwenty(slow);
      const failStep = (at: number): number => {
        const level = c.rate;
        const grant = at + 1;
        c.granted(grant, 0);
        const change = c.throttledAt(grant + 5, grant, 1500) as RateChange;
        apply(c, change, grant + 5);
        expect(c.rate, "falls back below the step").to.be.below(level);
        return grant + 5;
      };
      const firstFailure = failStep(untilProbe(c));
      // One hold (min(holdMs, 2 windows) = 4 s) after the failure, not two.
      const secondProbe = untilProbe(c, firstFailure + 2000 - 5);
      expect(secondProbe - firstFailure).to.be.within(4000, 6000);
      // The same level fails again: the hold doubles.
      const secondFailure = failStep(secondProbe);
      const thirdProbe = untilProbe(c, secondFailure + 2000 - 5);
      expect(thirdProbe - secondFailure).to.be.within(8000, 10_000);
    });

    it("takes as a step's overshoot no more 429s than the step added; later ones cool the key down", () => {
      const c = learnedTwenty();
      const probeAt = untilProbe(c);
      const grant = probeAt + 1;
      expect(c.probeOvershoot(grant)).to.equal(true);
      expect(c.claimProbeOvershoot(grant), "the step's own request").to.equal(true);
      apply(c, c.throttledAt(grant + 5, grant, 1500) as RateChange, grant + 5);
      // A request of the level granted after the failure, refused too: the server is full for
      // another reason (others overshot it), not by the step's one request.
      expect(c.probeOvershoot(grant + 10)).to.equal(false);
      expect(c.claimProbeOvershoot(grant + 10)).to.equal(false);
    });

    it("cuts a held level by at most half on one 429, however few successes the window holds", () => {
      const c = learnedTwenty(slow);
      windowBurst(c, 2200, 20);
      // A window later only 2 requests are admitted, and one granted after them is refused (others
      // took the rest): the learned window holds 2 successes when the 429 comes.
      windowBurst(c, 4200, 2);
      c.granted(4290, 0);
      const change = c.throttledAt(4300, 4290, 1500) as RateChange;
      expect(c.window.windowMs, "no new anchor: the window stays").to.equal(2000);
      expect(change.set).to.be.at.least(0.95 * (10 / 2) - 1e-9);
      expect(change.set).to.be.below(10);
    });

    it("takes a 429 of a request granted in the same millisecond as the decrease as part of the burst", () => {
      const c = learnedTwenty();
      expect(c.throttledAt(120, 110, 1880), "granted at 110, when the limit was learned").to.equal(undefined);
      expect(c.decreases).to.equal(1);
    });

    it("keeps the successes seen when a window is learned: a later 429 reads them, not an empty past", () => {
      const c = learnedTwenty();
      // A request granted just after the limit was learned is refused: the 20 successes of the
      // learned window are still counted (a reading of none would have halved the limit to 5).
      c.granted(111, 0);
      const change = c.throttledAt(130, 111, 1870) as RateChange;
      expect(change.set).to.be.at.least(0.9 * 10);
    });
  });

  describe("learning the window's shape", () => {
    /** Sends `n` requests from `start`, `gap` ms apart, each answered `rtt` ms later with success. */
    function burst(c: AdaptiveRate, start: number, n: number, gap: number, rtt = 5): number {
      for (let i = 0; i < n; i += 1) {
        c.granted(start + i * gap, 0);
        c.succeeded(start + i * gap + rtt, start + i * gap);
      }
      return start + (n - 1) * gap + rtt;
    }

    /**
     * An anchored burst of 100 over 198 ms, its 429 at 213 saying `retryAfterMs` (whole seconds): W
     * is learned as 213 + that, L as 100. Then the next window's burst of 100 from `next.at`,
     * `next.gap` ms apart, all answered.
     */
    function learnedThenNextBurst(retryAfterMs: number, next: { readonly at: number; readonly gap: number }, tuning = settings): AdaptiveRate {
      const c = new AdaptiveRate(tuning, 0);
      const last = burst(c, 0, 100, 2);
      apply(c, c.throttledAt(last + 10, last + 5, retryAfterMs) as RateChange, last + 10);
      expect(c.window).to.deep.equal({ limit: 100, windowMs: 213 + retryAfterMs });
      c.takeWindowChange();
      burst(c, next.at, 100, next.gap);
      return c;
    }

    it("without Retry-After, measures W by the first success after the 429, asking one request at a time until then", () => {
      const c = new AdaptiveRate(settings, 0);
      // 100 per 5 s: a burst of 100 over 500 ms from t=0, then a 429 with no Retry-After.
      const last = burst(c, 0, 100, 5);
      apply(c, c.throttledAt(last + 10, last + 5, undefined) as RateChange, last + 10);
      expect(c.inFlightCap, "one request asks until the window frees").to.equal(1);
      expect(c.windowMs).to.equal(undefined);
      // Requests sent after the 429 are refused until one granted at 4000 succeeds at 5100.
      c.throttledAt(3000, 2000, undefined);
      c.succeeded(5100, 4000);
      expect(c.windowMs, "an upper bound: now − anchor").to.equal(5100);
      expect(c.takeWindowChange(), "the store keeps the shortest").to.deep.equal({ initial: 5100, min: 1, max: 5100 });
      expect(c.inFlightCap).to.equal(undefined);
      const change = c.increaseDue(5100) as RateChange;
      expect(change.set).to.be.closeTo((100 * 1000) / 5100, 1e-9);
      apply(c, change, 5100);
      expect(c.window).to.deep.equal({ limit: 100, windowMs: 5100 });
    });

    it("tells which refusals only asked whether the window freed, so their slots go back: not the burst's, but those sent one at a time after it", () => {
      // Without Retry-After: the burst's own 429s are its overshoot; the requests granted after its 429 ask.
      const c = new AdaptiveRate(settings, 0);
      const last = burst(c, 0, 100, 5);
      expect(c.refusedAsking(last + 5), "nothing is measured yet").to.equal(false);
      apply(c, c.throttledAt(last + 10, last + 5, undefined) as RateChange, last + 10);
      expect(c.refusedAsking(last + 8), "granted before the 429 that started the measure: the burst's").to.equal(false);
      expect(c.refusedAsking(1500), "sent to ask").to.equal(true);
      c.throttledAt(1510, 1500, undefined);
      c.succeeded(5100, 4000);
      expect(c.refusedAsking(5200), "measured: a 429 now is an ordinary one").to.equal(false);

      // With a Retry-After that proves to understate the wait: the request sent as it ended asks too,
      // and so do those sent one at a time after it; one sent before it ended does not.
      const d = new AdaptiveRate(settings, 0);
      const end = burst(d, 0, 100, 5);
      apply(d, d.throttledAt(end + 10, end + 5, 2000) as RateChange, end + 10);
      d.takeWindowChange();
      expect(d.refusedAsking(end + 1000), "sent before the Retry-After ended").to.equal(false);
      expect(d.refusedAsking(end + 10 + 2000), "sent as it ended").to.equal(true);
      expect(d.throttledAt(2530, 2510, 2000)).to.equal(undefined);
      expect(d.refusedAsking(4515), "asking one at a time").to.equal(true);

      // A fleet sharing the window: a refusal after the Retry-After proves nothing, so it is no ask.
      const e = new AdaptiveRate(settings, 0);
      const fleetEnd = burst(e, 0, 100, 5);
      apply(e, e.throttledAt(fleetEnd + 10, fleetEnd + 5, 2000) as RateChange, fleetEnd + 10);
      for (let i = 0; i < 4; i += 1) e.sharedUse(25, 100);
      expect(e.refusedAsking(2510)).to.equal(false);
    });

    it("measures W without Retry-After once a fixed Retry-After proved shorter than the server's wait, and replaces the stored window", () => {
      const c = new AdaptiveRate(settings, 0);
      // 100 per 5 s, but every 429 says "Retry-After: 2": a burst of 100 over 500 ms, then a 429.
      const last = burst(c, 0, 100, 5);
      apply(c, c.throttledAt(last + 10, last + 5, 2000) as RateChange, last + 10);
      expect(c.windowMs, "taken at its word: 429 time + 2 s").to.equal(last + 10 + 2000);
      expect(c.takeWindowChange()).to.deep.equal({ initial: 2510, min: 1, max: 2510 });
      // Sent once those 2 s had passed, and refused again, with nothing answered since: 2 s understated the wait.
      expect(c.throttledAt(2530, 2510, 2000), "no cut: the window, not the limit, was wrong").to.equal(undefined);
      expect(c.decreases).to.equal(1);
      expect(c.inFlightCap, "one request asks until the window frees").to.equal(1);
      // Refused again 2 s later; the next one, granted at 4530, is answered at 5100.
      expect(c.throttledAt(4520, 4515, 2000)).to.equal(undefined);
      c.succeeded(5100, 4530);
      expect(c.windowMs, "now − anchor, as without Retry-After").to.equal(5100);
      expect(c.takeWindowChange(), "replaces the stored (shorter) window").to.deep.equal({ initial: 5100, set: 5100, min: 1, max: 600_000 });
      apply(c, c.increaseDue(5100) as RateChange, 5100);
      expect(c.window).to.deep.equal({ limit: 100, windowMs: 5100 });
      // The next anchored burst (after a window of silence) is not measured by Retry-After again.
      const end = burst(c, 11_000, 100, 5);
      c.throttledAt(end + 10, end + 5, 2000);
      expect(c.windowMs).to.equal(5100);
      expect(c.takeWindowChange()).to.equal(undefined);
      expect(c.inFlightCap, "measured by the next success instead").to.equal(1);
    });

    describe("narrowing a window known only from above (window probes)", () => {
      /**
       * 100 per 5 s with whole-second Retry-After: a burst of 100 over 198 ms, its 429 at 213
       * saying 5 s (rounded up): W ≤ 5213, and more than 213 + 4000 − 2 round trips. Then a second
       * window's burst (answered 5315 to 5414), which clears the checks of the first.
       */
      function learnedFromWholeSeconds(tuning = settings): AdaptiveRate {
        return learnedThenNextBurst(5000, { at: 5310, gap: 1 }, tuning);
      }

      /** The probe at 5.001 s is answered at 10 322: the window shortens to 5012 ms, and the rate with it is applied. */
      function narrowToFiveSeconds(c: AdaptiveRate): void {
        expect(c.windowProbeMs(10_300)).to.equal(5001);
        c.windowProbeSent(10_316, 5315);
        c.windowProbeAnswered(10_322, 200);
        apply(c, c.windowStored((c.takeWindowChange() as RateChange).initial) as RateChange, 10_322);
        expect(c.window).to.deep.equal({ limit: 100, windowMs: 5012 });
      }

      it("holds the limit at the window the store keeps: a shorter one another process shrank to, or one read at a sync with a rate written for a longer window", () => {
        const c = learnedFromWholeSeconds();
        expect(c.windowProbeMs(10_300)).to.equal(5001);
        c.windowProbeSent(10_316, 5315);
        c.windowProbeAnswered(10_322, 200);
        expect(c.takeWindowChange()).to.deep.equal({ initial: 5012, min: 1, max: 5012 });
        // Another process of the fleet shrank the store's window further meanwhile: the same 100 in it.
        apply(c, c.windowStored(5008) as RateChange, 10_322);
        expect(c.window).to.deep.equal({ limit: 100, windowMs: 5008 });
        // A sync reads a shorter window still with the rate a process wrote for a longer one
        // (100 per 5040 ms): 99.2 in 5000 ms, one short. The limit is held at 100 instead.
        c.synced((100 * 1000) / 5040, 5000, 11_000);
        apply(c, c.increaseDue(11_000) as RateChange, 11_000);
        expect(c.window).to.deep.equal({ limit: 100, windowMs: 5000 });
        // A lower rate at the same window is another process's decrease: taken as it is.
        c.synced(15, 5000, 12_000);
        expect(c.window).to.deep.equal({ limit: 75, windowMs: 5000 });
      });

      it("sends one request at the longest whole second the bounds allow, and an answer shortens the window with the same limit", () => {
        const c = learnedFromWholeSeconds();
        expect(c.searching).to.equal(true);
        expect(c.windowProbeMs(10_300)).to.equal(5001);
        c.windowProbeSent(10_316, 5315);
        expect(c.windowProbeMs(10_317), "one at a time").to.equal(undefined);
        c.windowProbeAnswered(10_322, 200);
        // At most answer − the oldest answer + the longest round trip (5 ms).
        expect(c.windowMs).to.equal(10_322 - 5315 + 5);
        expect(c.takeWindowChange(), "the store keeps the shortest").to.deep.equal({ initial: 5012, min: 1, max: 5012 });
        expect(c.increaseDue(10_322), "the rate goes with the window the store keeps").to.equal(undefined);
        const change = c.windowStored(5012) as RateChange;
        expect(change.set).to.be.closeTo((100 * 1000) / 5012, 1e-9);
        apply(c, change, 10_322);
        expect(c.window).to.deep.equal({ limit: 100, windowMs: 5012 });
        // Within the tolerance above 5 s, which the lower bound (4203) leaves possible: done, no 429 spent on 4 s.
        expect(c.windowProbeMs(15_400)).to.equal(undefined);
        expect(c.searching).to.equal(false);
      });

      it("a refused probe raises the lower bound only: no cooldown, no decrease, the window stays", () => {
        const c = learnedFromWholeSeconds();
        expect(c.windowProbeMs(10_300)).to.equal(5001);
        c.windowProbeSent(10_316, 5315);
        c.windowProbeAnswered(10_320, 429);
        expect(c.decreases).to.equal(1);
        expect(c.windowMs).to.equal(5213);
        expect(c.takeWindowChange()).to.equal(undefined);
        // Refused 5001 ms after the oldest answer: no whole second is left within (5001, 5213], so the next probe halves the bounds.
        expect(c.windowProbeMs(10_330)).to.equal(5107);
      });

      it("a fault (or no answer) bounds nothing and frees the next probe", () => {
        const c = learnedFromWholeSeconds();
        c.windowProbeMs(10_300);
        c.windowProbeSent(10_316, 5315);
        c.windowProbeAnswered(10_320, 503);
        expect(c.windowMs).to.equal(5213);
        expect(c.windowProbeMs(10_330)).to.equal(5001);
        c.windowProbeSent(10_331, 5315);
        c.windowProbeAnswered(10_340, undefined);
        expect(c.windowProbeMs(10_350)).to.equal(5001);
      });

      it("undoes the shrink when a request granted at the shrunk window is refused, holds the limit exactly, and searches no more", () => {
        const c = learnedFromWholeSeconds();
        narrowToFiveSeconds(c);
        const change = c.throttledAt(10_420, 10_400, 1000) as RateChange;
        expect(change.set).to.be.closeTo((100 * 1000) / 5213, 1e-9);
        apply(c, change, 10_420);
        expect(c.window).to.deep.equal({ limit: 100, windowMs: 5213 });
        expect(c.takeWindowChange(), "replaces the stored (shorter) window").to.deep.equal({ initial: 5213, set: 5213, min: 1, max: 600_000 });
        expect(c.throttledAt(10_425, 10_401, 1000), "the same burst's other 429s").to.equal(undefined);
        expect(c.searching).to.equal(false);
        expect(c.windowProbeMs(20_000)).to.equal(undefined);
      });

      it("undoes the shrink to a window longer still when the refusal shows the window's requests still held (a fixed window)", () => {
        const c = learnedFromWholeSeconds();
        narrowToFiveSeconds(c);
        // The next window's burst (99 and the probe: the limit), then the first slot it frees is
        // refused for 2 s more: the server still holds them all.
        burst(c, 10_330, 99, 1);
        const change = c.throttledAt(15_450, 15_441, 2000) as RateChange;
        apply(c, change, 15_450);
        // Not back to 5213 only: 5012 + the refused request's 9 ms + 2000.
        expect(c.window).to.deep.equal({ limit: 100, windowMs: 7021 });
        expect(c.takeWindowChange()).to.deep.equal({ initial: 7021, set: 7021, min: 1, max: 600_000 });
        expect(c.lengthenedWindowAt(15_450)).to.equal(true);
        expect(c.searching, "the class searches no more").to.equal(false);
      });

      it("ends the search at any other 429 (a limit that dropped): no more probes while the limit is away, the window stays", () => {
        const c = learnedFromWholeSeconds();
        // Half the limit since the second window's burst: the server admitted clearly less.
        burst(c, 10_320, 50, 1);
        expect(c.throttledAt(10_390, 10_380, 3000), "a decrease, as ever").to.not.equal(undefined);
        expect(c.searching).to.equal(false);
        expect(c.windowMs).to.equal(5213);
        expect(c.windowProbeMs(20_000)).to.equal(undefined);
      });

      it("starts the search again once the limit it climbed back to has held a whole window, before any step above it", () => {
        const c = learnedFromWholeSeconds({ ...settings, holdMs: 1000 });
        burst(c, 10_320, 50, 1);
        apply(c, c.throttledAt(10_390, 10_380, 3000) as RateChange, 10_390);
        expect(c.searching).to.equal(false);
        // The climb back to the level admitted before the drop, then that level held.
        let now = 10_390;
        for (let i = 0; i < 40 && c.window.limit < 100; i += 1) {
          now += 5300;
          burst(c, now, Math.floor(c.window.limit), 1);
          c.limited();
          const step = c.increaseDue(now + 200);
          if (step !== undefined) apply(c, step, now + 200);
        }
        expect(c.window.limit, "back at the former level").to.be.closeTo(100, 1e-6);
        expect(c.searching, "not while the limit is away or has not lasted a window").to.equal(false);
        now += 5300;
        burst(c, now, 100, 1);
        c.limited();
        expect(c.increaseDue(now + 200), "the search comes first: no step above").to.equal(undefined);
        expect(c.searching).to.equal(true);
        expect(c.windowProbeMs(now + 5100), "from the longest whole second again").to.equal(5001);
      });

      it("cuts a dropped limit to the successes the server can still hold: answered since its oldest counted request, which the Retry-After places", () => {
        const c = learnedFromWholeSeconds();
        // The second window's 100 were answered 5315 to 5414; now the server admits 50 of the next.
        burst(c, 10_600, 50, 1);
        // Refused at 10 700 with these 50 in the learned window, below its limit: the limit dropped.
        // The oldest request the server counts frees in (2 s, 3 s]: it was counted after
        // 10 700 + 2000 − 5213 (the learned window, an upper bound) = 7487. Only these 50 can be held.
        const cut = c.throttledAt(10_700, 10_690, 3000) as RateChange;
        expect(cut.set, "a count, held exactly").to.be.closeTo((50 * 1000) / 5213, 1e-9);
      });

      it("reads the learned window, as before, when our successes run on without a silence before the span (others may share the limit unseen)", () => {
        const c = learnedFromWholeSeconds();
        // A steady flow since the second window's burst: 80 answers, one every 60 ms.
        burst(c, 5420, 80, 60);
        // Read as above it would be the 45 or so answered since 7487 (half the limit at most):
        // part of our share of a window, if other processes send into the same limit without a
        // shared store. Read over the learned window instead (79), with a rate reading's margin.
        const cut = c.throttledAt(10_700, 10_690, 3000) as RateChange;
        expect(cut.set).to.be.closeTo(((79 * 1000) / 5213) * ADAPTIVE_DEFAULTS.decreaseFactor, 0.2);
      });

      it("reads the learned window, as before, when it held its whole limit (not a drop: a window learned wrong, which other rules read)", () => {
        const c = learnedFromWholeSeconds();
        // Refused at the start of the next window: the last burst's 100 are all in the learned window.
        burst(c, 10_320, 50, 1);
        const cut = c.throttledAt(10_390, 10_380, 3000) as RateChange;
        expect(cut.set).to.be.closeTo(((100 * 1000) / 5213) * ADAPTIVE_DEFAULTS.decreaseFactor, 1e-9);
      });

      it("counts the whole learned window, as before, when the Retry-After places nothing (a whole second: the oldest may free at once)", () => {
        const c = learnedFromWholeSeconds();
        burst(c, 10_320, 50, 1);
        // 1 s, rounded up by up to a second: the oldest counted request may free now, so any success
        // of the learned window may be held. A rate reading over it, with its margin.
        const cut = c.throttledAt(10_390, 10_380, 1000) as RateChange;
        expect(cut.set).to.be.closeTo(((100 * 1000) / 5213) * ADAPTIVE_DEFAULTS.decreaseFactor, 1e-9);
      });

      it("starts the hold before probing the rate again from a shortened window (a new level)", () => {
        const c = learnedFromWholeSeconds({ ...settings, holdMs: 10_000 });
        c.limited();
        expect(c.increaseDue(6000), "the plateau starts").to.equal(undefined);
        narrowToFiveSeconds(c);
        expect(c.windowProbeMs(10_330), "the search is done").to.equal(undefined);
        burst(c, 10_400, 100, 1);
        c.limited();
        // 10.5 s after the plateau first started, and a window after the change: held from the shrink instead.
        expect(c.increaseDue(16_500)).to.equal(undefined);
        c.limited();
        expect((c.increaseDue(26_600) as RateChange).add).to.be.greaterThan(0);
      });

      it("sharing the window with other processes, probes ahead of the store's window only (their requests fill it too)", () => {
        const c = learnedFromWholeSeconds();
        expect(c.windowProbeMs(10_300, true), "alone: no probe ahead of the store's window").to.equal(undefined);
        for (let i = 0; i < 4; i += 1) c.sharedUse(25, 100);
        expect(c.windowProbeMs(10_300), "this process's own window is not full").to.equal(undefined);
        expect(c.windowProbeMs(10_300, true), "the store's window, with the whole fleet's grants").to.equal(5001);
      });

      it("holds rate probing back while the search narrows (a step above a window too long lasts whatever the limit)", () => {
        const c = learnedFromWholeSeconds({ ...settings, holdMs: 1000 });
        c.limited();
        expect(c.increaseDue(6000), "the plateau starts").to.equal(undefined);
        c.limited();
        expect(c.increaseDue(10_300), "the hold has passed and the rate lasted a window, but the window is being narrowed").to.equal(undefined);
        narrowToFiveSeconds(c);
        expect(c.windowProbeMs(10_330)).to.equal(undefined);
        burst(c, 10_400, 100, 1);
        c.limited();
        expect(c.increaseDue(10_600), "plateau starts").to.equal(undefined);
        c.limited();
        const step = c.increaseDue(15_400) as RateChange;
        expect(step.add, "a probe step once the search is done").to.be.greaterThan(0);
      });
    });

    describe("a refusal with the learned window full: the window is longer (a fixed window's end taken for its length)", () => {
      /**
       * A fixed window of 100 per 5 s whose boundaries fall at 3000 and 8000: the anchored burst's
       * 429 at 213 says 3 s (to the boundary, rounded up), so W is learned as 3213, too short. The
       * next burst, after the boundary, is admitted whole.
       */
      function learnedAtTheWindowsEnd(): AdaptiveRate {
        return learnedThenNextBurst(3000, { at: 3213, gap: 2 });
      }

      it("keeps the limit and lengthens the window to where this request would have waited out the server's wait, replacing the stored one", () => {
        const c = learnedAtTheWindowsEnd();
        // Granted just after the first slot the learned window frees (3218 + 3213), refused until the boundary at 8000 (1.55 s, rounded up to 2).
        const change = c.throttledAt(6449, 6440, 2000) as RateChange;
        // 3213 + the refused request's 9 ms round trip + 2000.
        expect(change.set).to.be.closeTo((100 * 1000) / 5222, 1e-9);
        apply(c, change, 6449);
        expect(c.window).to.deep.equal({ limit: 100, windowMs: 5222 });
        expect(c.takeWindowChange(), "replaces the stored (shorter) window").to.deep.equal({ initial: 5222, set: 5222, min: 1, max: 600_000 });
        expect(c.decreases).to.equal(2);
        expect(c.lengthenedWindowAt(6449), "explained: no refund is to blame").to.equal(true);
        expect(c.refusedAtShortWindow(6449, 6440), "its slot goes back").to.equal(true);
        expect(c.throttledAt(6452, 6441, 2000), "the same burst's other 429s").to.equal(undefined);
        expect(c.refusedAtShortWindow(6452, 6441), "and theirs").to.equal(true);
        expect(c.lengthenedWindowAt(6452)).to.equal(false);
        expect(c.window).to.deep.equal({ limit: 100, windowMs: 5222 });
        // Granted after the server's wait ended: a refusal of its own.
        expect(c.refusedAtShortWindow(8460, 8455)).to.equal(false);
        // Known from above (a whole-second Retry-After): narrowed by window probes, down to 4222 at
        // most (5222 less the second the Retry-After may be rounded up by).
        expect(c.searching).to.equal(true);
        expect(c.windowProbeMs(11_440), "5 s first").to.equal(5001);
        c.windowProbeSent(11_450, 6449);
        c.windowProbeAnswered(11_456, 200);
        expect(c.windowMs, "plus the longest recent round trip (11 ms)").to.equal(11_456 - 6449 + 11);
        // Answered at 5 s: 4 s is below what the refusal proved, so the search is done (an early
        // request in a fixed window lands after the reset once the bursts start late in it: a
        // probe at 4 s could be answered, and shrink the window below the server's).
        apply(c, c.windowStored((c.takeWindowChange() as RateChange).initial) as RateChange, 11_456);
        expect(c.window).to.deep.equal({ limit: 100, windowMs: 5018 });
        expect(c.windowProbeMs(16_500)).to.equal(undefined);
        expect(c.searching).to.equal(false);
      });

      it("cuts the limit instead when the learned window holds clearly less than the limit (the limit dropped)", () => {
        const c = new AdaptiveRate(settings, 0);
        const last = burst(c, 0, 100, 2);
        apply(c, c.throttledAt(last + 10, last + 5, 5000) as RateChange, last + 10);
        c.takeWindowChange();
        // The limit halved: of the next window's burst, 50 are admitted.
        burst(c, 5213, 50, 2);
        const change = c.throttledAt(5320, 5313, 5000) as RateChange;
        apply(c, change, 5320);
        expect(c.windowMs).to.equal(5213);
        expect(c.window.limit).to.be.at.most(50);
        expect(c.takeWindowChange()).to.equal(undefined);
      });

      it("undoes the lengthening when a refusal of the other kind follows within two windows (the limit dropped after all)", () => {
        const c = learnedAtTheWindowsEnd();
        apply(c, c.throttledAt(6449, 6440, 2000) as RateChange, 6449);
        c.takeWindowChange();
        expect(c.windowMs).to.equal(5222);
        // After the cooldown, 40 of the next burst are admitted, and the 41st is refused.
        burst(c, 8460, 40, 2);
        const change = c.throttledAt(8560, 8545, 2000) as RateChange;
        apply(c, change, 8560);
        expect(c.windowMs, "back to the window before").to.equal(3213);
        expect(c.takeWindowChange(), "replacing the stored one").to.deep.equal({ initial: 3213, set: 3213, min: 1, max: 600_000 });
        expect(c.window.limit, "the limit cut instead").to.be.below(100);
      });

      it("keeps the limit per window when the refusal has no Retry-After to measure the wait by", () => {
        const c = learnedAtTheWindowsEnd();
        apply(c, c.throttledAt(6449, 6440, undefined) as RateChange, 6449);
        expect(c.windowMs).to.equal(3213);
      });
    });

    it("takes no refusal after Retry-After for an understatement while other processes share the window", () => {
      const c = new AdaptiveRate(settings, 0);
      const last = burst(c, 0, 100, 5);
      apply(c, c.throttledAt(last + 10, last + 5, 2000) as RateChange, last + 10);
      c.takeWindowChange();
      // The store's count says this process made a quarter of the fleet's grants.
      for (let i = 0; i < 4; i += 1) c.sharedUse(25, 100);
      expect(c.throttledAt(2530, 2510, 2000), "an ordinary 429: the others filled the window").to.not.equal(undefined);
      expect(c.inFlightCap).to.equal(undefined);
      expect(c.takeWindowChange()).to.equal(undefined);
    });

    it("keeps a window learned from Retry-After once a request sent after it comes back", () => {
      const c = new AdaptiveRate(settings, 0);
      const last = burst(c, 0, 100, 5);
      apply(c, c.throttledAt(last + 10, last + 5, 3000) as RateChange, last + 10);
      c.takeWindowChange();
      c.succeeded(3600, 3510);
      // A later 429 of a request sent after that Retry-After is an ordinary one (the limit dropped, say).
      expect(c.throttledAt(6000, 5990, 3000), "a decrease, not a re-measure").to.not.equal(undefined);
      expect(c.inFlightCap).to.equal(undefined);
      expect(c.windowMs).to.equal(3510);
    });

    it("infers L from the successes since the window opened and W from 429 time + Retry-After − anchor", () => {
      const c = new AdaptiveRate(settings, 0);
      // 100 per 5 s: a burst of 100 over 1 s from t=0, then a 429 at 1010 with Retry-After 3.995 s.
      const last = burst(c, 0, 100, 10);
      const change = c.throttledAt(last + 10, last + 5, 3995) as RateChange;
      const rate = apply(c, change, last + 10);
      expect(c.windowMs).to.equal(last + 10 + 3995); // 5000 ms (an upper bound: the server counted the anchor at or after 0)
      expect(rate).to.be.closeTo((100 * 1000) / 5000, 1e-9);
      expect(c.window).to.deep.equal({ limit: 100, windowMs: 5000 });
      expect(c.intervalMs, "a learned window is spent as a burst").to.equal(0);
      expect(c.takeWindowChange()).to.deep.equal({ initial: 5000, min: 1, max: 5000 });
      expect(c.takeWindowChange(), "taken once").to.equal(undefined);
    });

    it("counts the burst's successes that arrive after its first 429 (answers overtake each other), until the window could free", () => {
      const c = new AdaptiveRate(settings, 0);
      // 30 per 3 s: 30 requests granted from 0 to 290; the 429 of the 31st (granted at 300) arrives
      // at 320, before the last 10 successes (granted 200..290) are answered.
      for (let i = 0; i < 30; i += 1) c.granted(i * 10, i);
      for (let i = 0; i < 20; i += 1) c.succeeded(i * 10 + 5, i * 10);
      c.granted(300, 10);
      apply(c, c.throttledAt(320, 300, 2985) as RateChange, 320);
      expect(c.window.limit, "20 counted when the 429 came").to.equal(20);
      for (let i = 20; i < 30; i += 1) c.succeeded(330 + i, i * 10);
      apply(c, c.increaseDue(400) as RateChange, 400);
      expect(c.window).to.deep.equal({ limit: 30, windowMs: 3305 });
      // After the server's window could have freed, a success proves nothing more.
      c.succeeded(3400, 250);
      expect(c.increaseDue(3400)).to.equal(undefined);
      expect(c.window.limit).to.equal(30);
    });

    it("with whole-second Retry-After, only trusts a burst shorter than Retry-After − 1 s, and W stays an upper bound", () => {
      const c = new AdaptiveRate(settings, 0);
      const last = burst(c, 0, 100, 10); // ends at 995
      // The server's exact wait was 3.995 s, sent as "4": W = 1005 + 4000 − 0.
      apply(c, c.throttledAt(last + 10, last + 5, 4000) as RateChange, last + 10);
      expect(c.windowMs).to.equal(5005);
      expect(c.window.limit).to.equal(100);

      const ambiguous = new AdaptiveRate(settings, 0);
      const end = burst(ambiguous, 0, 100, 25); // 2.5 s long: successes may have left a 3 s window
      ambiguous.throttledAt(end + 10, end + 5, 3000);
      expect(ambiguous.windowMs, "ambiguous: no window learned").to.equal(undefined);
    });

    it("keeps the shortest of several anchored estimates (each an upper bound), and re-anchors only after a window of silence", () => {
      const c = new AdaptiveRate(settings, 0);
      let last = burst(c, 0, 50, 10);
      apply(c, c.throttledAt(last + 10, last + 5, 6000) as RateChange, last + 10); // W ≤ 6505
      expect(c.windowMs).to.equal(6505);
      // Silence for less than W: no anchor, so a 429 now cannot teach W.
      last = burst(c, 10_000, 10, 10);
      c.throttledAt(last + 300, last + 250, 1000);
      expect(c.windowMs).to.equal(6505);
      // After a whole window of silence: a clean anchor, and a tighter bound.
      last = burst(c, 30_000, 50, 10);
      apply(c, c.throttledAt(last + 10, last + 6, 4400.5) as RateChange, last + 10);
      expect(c.windowMs).to.equal(Math.ceil(505 + 4400.5));
      expect(c.window.limit).to.equal(50);
    });

    it("treats a 1 s window the same way when the evidence is clear (exact Retry-After)", () => {
      const c = new AdaptiveRate(settings, 0);
      const last = burst(c, 0, 40, 5); // 40 in 200 ms
      apply(c, c.throttledAt(last + 5, last, 795.5) as RateChange, last + 5);
      expect(c.windowMs).to.equal(Math.ceil(205 + 795.5));
      expect(c.window.limit).to.equal(40);
    });

    it("a failed probe step above a learned window falls below the step, and gives back only the step's own slots", () => {
      const c = new AdaptiveRate(settings, 0);
      // 100 per 5 s, whole-second Retry-After: a burst of 100 over 500 ms, then a 429 saying 5 s
      // (rounded up): the window is learned as 5510 ms, longer than the server's.
      const last = burst(c, 0, 100, 5);
      apply(c, c.throttledAt(last + 10, last + 5, 5000) as RateChange, last + 10);
      expect(c.window).to.deep.equal({ limit: 100, windowMs: 5510 });
      const proven = c.rate;
      // The server admits 100 per 5 s: one success every 50 ms, so 110 of them fall in any 5510 ms.
      let now = last + 10;
      let change: RateChange | undefined;
      while (!c.probeOvershoot(now) && now < 60_000) {
        now += 50;
        c.limited();
        c.granted(now - 5, 0);
        c.succeeded(now, now - 5);
        change = c.increaseDue(now);
        if (change !== undefined) apply(c, change, now);
      }
      const probed = c.rate;
      expect(probed, "a probe step is out").to.be.above(proven);
      const stepGrant = now + 10;
      expect(c.probeSlotRefundable(stepGrant), "a request of the step").to.equal(true);
      // The step's request is refused (Retry-After 1 s). The 110 successes in the learned window
      // are no count of the server's: the limit falls back to the proven level, below the step.
      const failedAt = now + 20;
      const fallback = c.throttledAt(failedAt, stepGrant, 1000) as RateChange;
      expect(fallback.set).to.be.closeTo(proven, 1e-9);
      expect(fallback.set).to.be.below(probed);
      apply(c, fallback, failedAt);
      // Another request of the step, answered later: its slot goes back too.
      expect(c.probeSlotRefundable(stepGrant + 5)).to.equal(true);
      // A request granted after the failure was known, before the overshoot left the server's
      // window: its 429 still neither cools down nor cuts, but its slot is not given back (else
      // the next queued request takes it and is refused in turn, a 429 per round trip).
      expect(c.probeOvershoot(failedAt + 100)).to.equal(true);
      expect(c.probeSlotRefundable(failedAt + 100)).to.equal(false);
      expect(c.throttledAt(failedAt + 120, failedAt + 100, 1000), "no second cut").to.equal(undefined);
    });

    it("re-infers a halved limit from the successes over the learned window, and keeps the window", () => {
      const c = new AdaptiveRate(settings, 0);
      let last = burst(c, 0, 100, 10);
      apply(c, c.throttledAt(last + 10, last + 5, 3995) as RateChange, last + 10); // 100 per 5000 ms
      // The server now allows 50 per 5 s: a 429 comes after 50 successes, earlier than the model says.
      last = burst(c, 20_000, 50, 20, 5);
      // The first of those 50 leaves the server's window about 4 s from now.
      const rate = apply(c, c.throttledAt(last + 20, last + 15, 3990) as RateChange, last + 20);
      // After a window of silence the burst is an anchor again: the bound on W only tightens.
      expect(c.windowMs).to.be.within(4900, 5000);
      expect(c.window.limit).to.be.at.most(50);
      expect(c.window.limit).to.be.at.least(40);
      expect(rate).to.be.below(10.1);
    });

    it("without Retry-After (hidden by a browser), keeps learning from 429s alone as a rate", () => {
      const c = new AdaptiveRate(settings, 0, 100); // sending at up to 100/s
      const last = burst(c, 0, 40, 25); // 40 per second got through
      const rate = apply(c, c.throttledAt(last + 10, last + 5, undefined) as RateChange, last + 10);
      expect(c.windowMs).to.equal(undefined);
      expect(c.phase).to.equal("steady");
      expect(rate).to.be.within(30, 40);
    });

    it("takes a window learned by another process from the store", () => {
      const c = new AdaptiveRate(settings, 0, 20, 5000);
      expect(c.window).to.deep.equal({ limit: 100, windowMs: 5000 });
      const d = new AdaptiveRate(settings, 0, 20);
      d.synced(20, 5000);
      expect(d.window).to.deep.equal({ limit: 100, windowMs: 5000 });
    });
  });
  describe("telling a concurrency limit from a rate limit", () => {
    /** Grants `n` requests at `at`, at depths 1..n, and answers them all unthrottled at `at + rtt`. */
    function wave(c: AdaptiveRate, at: number, n: number, rtt = 100): void {
      for (let depth = 1; depth <= n; depth += 1) c.granted(at, depth - 1);
      for (let depth = 1; depth <= n; depth += 1) c.succeeded(at + rtt, at, depth);
    }

    it("a 429 deeper than any answer is suspect: one request asks, and its success makes the deepest answered depth the cap", () => {
      const c = new AdaptiveRate(settings, 0);
      wave(c, 0, 8);
      const rate = c.rate;
      // Granted at depth 9 at t=200, refused at 300.
      expect(c.concurrencyRefusal(300, 200, 9), "no cooldown, no rate cut").to.equal(true);
      expect(c.inFlightCap, "one request at a time while it is unclear").to.equal(1);
      // More refusals of the same burst (granted before the suspicion) change nothing.
      expect(c.concurrencyRefusal(305, 200, 10)).to.equal(true);
      expect(c.throttled).to.equal(2);
      // A request granted after the refusal comes back unthrottled: a rate limit would have refused it.
      c.succeeded(420, 310, 1);
      expect(c.concurrencyLimit).to.equal(8);
      expect(c.inFlightCap, "in slow start, the tighter of the cap and slow start's own (4 at this rate)").to.equal(4);
      expect([c.rate, c.phase, c.decreases], "the rate learned nothing").to.deep.equal([rate, "slow-start", 0]);
    });

    it("a refused test request means a rate limit: that 429 is handled as one, and no suspicion starts for a while", () => {
      const c = new AdaptiveRate(settings, 0);
      wave(c, 0, 4, 5);
      expect(c.concurrencyRefusal(60, 50, 5)).to.equal(true);
      // The test request, granted after the suspicion began, is refused too.
      expect(c.concurrencyRefusal(80, 70, 1), "a rate 429 after all").to.equal(false);
      expect(c.throttledAt(80, 70, 1000), "the rate is cut as for any 429").to.not.equal(undefined);
      expect(c.concurrencyLimit).to.equal(undefined);
      expect(c.inFlightCap).to.not.equal(1);
      // Within holdMs (1 s here), a deep 429 is not suspected again.
      expect(c.concurrencyRefusal(500, 400, 50)).to.equal(false);
      expect(c.concurrencyRefusal(1200, 1100, 50), "the pause ended").to.equal(true);
    });

    it("a success sent after the suspect 429's Retry-After proves nothing (a window may have reopened)", () => {
      const c = new AdaptiveRate(settings, 0);
      wave(c, 0, 8);
      expect(c.concurrencyRefusal(300, 200, 9, 250)).to.equal(true);
      c.succeeded(600, 460, 1); // granted 160 ms after the refusal, past its 250 ms Retry-After (200 + 249)
      expect(c.concurrencyLimit).to.equal(undefined);
      expect(c.inFlightCap, "the suspicion is over").to.not.equal(1);
    });

    it("suspects nothing when no answer could come back before the Retry-After runs out: the 429 is a rate refusal at once", () => {
      // Granted at 200 with a 150 ms Retry-After: the wait may end at 349, and no request sent after
      // the refusal's answer at 300 comes back sooner than the shortest round trip (100 ms), so
      // nothing could prove a cap. Suspected, the burst's other 429s would be absorbed while one
      // request asks, and slow start would go on doubling.
      const c = new AdaptiveRate(settings, 0);
      wave(c, 0, 8);
      expect(c.concurrencyRefusal(300, 200, 9, 150)).to.equal(false);
      expect(c.inFlightCap, "no request held back for a test").to.not.equal(1);
      expect(c.throttledAt(300, 200, 150), "judged as a rate 429").to.not.equal(undefined);
      expect(c.phase).to.equal("steady");
    });

    it("a success answered after the suspect's grant + Retry-After proves nothing, however soon after the refusal's answer it was sent", () => {
      const c = new AdaptiveRate(settings, 0);
      wave(c, 0, 8);
      // Granted at 200, answered 400 ms later (a slow way back): the server refused it at some
      // moment in between, and its 600 ms Retry-After may have run out from 799 on.
      expect(c.concurrencyRefusal(600, 200, 9, 600)).to.equal(true);
      // Sent 50 ms after the refusal's answer, well within answer + Retry-After, but answered at
      // 810: it may have reached the server after the window reopened.
      c.succeeded(810, 650, 1);
      expect(c.concurrencyLimit).to.equal(undefined);
      expect(c.inFlightCap, "the suspicion is over").to.not.equal(1);
    });

    it("a whole-second Retry-After counts less its precision: a success after grant + Retry-After − 1 s proves nothing", () => {
      // A 5 s Retry-After is a wait of more than 4 s and at most 5 s: a sliding window may admit again from grant + 4 s on.
      const proves = (answeredAt: number): number | undefined => {
        const c = new AdaptiveRate(settings, 0);
        wave(c, 0, 8);
        expect(c.concurrencyRefusal(300, 200, 9, 5000)).to.equal(true);
        c.succeeded(answeredAt, answeredAt - 50, 1);
        return c.concurrencyLimit;
      };
      expect(proves(4150), "answered before grant + 4 s: no rate limit admits it, a cap").to.equal(8);
      expect(proves(4350), "answered after grant + 4 s: the window may have freed, no cap").to.equal(undefined);
    });

    it("a whole-second Retry-After of 1 s bounds nothing: an answer proves a cap only before the burst's anchor + 1 s (the least a burst into an empty window holds it)", () => {
      const proves = (answeredAt: number): number | undefined => {
        const c = new AdaptiveRate(settings, 0);
        wave(c, 0, 8); // the first grant, at 0, anchors the burst
        expect(c.concurrencyRefusal(300, 200, 9, 1000)).to.equal(true);
        c.succeeded(answeredAt, answeredAt - 50, 1);
        return c.concurrencyLimit;
      };
      expect(proves(950), "before anchor + 1 s: no slot of the burst can have freed, a cap").to.equal(8);
      expect(proves(1100), "after it (within grant + 1 s): a sliding window may have freed a slot, no cap").to.equal(undefined);
      // Refused more than a second after the anchor (a slow start that lasted): nothing could prove a cap.
      const late = new AdaptiveRate(settings, 0);
      wave(late, 0, 8);
      wave(late, 1000, 8);
      expect(late.concurrencyRefusal(1300, 1200, 9, 1000), "a rate refusal").to.equal(false);
      expect(late.concurrencyLimit).to.equal(undefined);
    });

    it("suspects nothing once a window is learned: the window's model explains its 429s", () => {
      const c = new AdaptiveRate(settings, 0, 20, 5000);
      wave(c, 0, 8);
      expect(c.concurrencyRefusal(300, 200, 9)).to.equal(false);
    });

    it("never suspects a request with no depth, the first request, or one shallower than an answered one", () => {
      const c = new AdaptiveRate(settings, 0);
      expect(c.concurrencyRefusal(10, 0, 3), "nothing answered yet").to.equal(false);
      wave(c, 0, 6);
      expect(c.concurrencyRefusal(300, 200, undefined)).to.equal(false);
      expect(c.concurrencyRefusal(300, 200, 1)).to.equal(false);
      expect(c.concurrencyRefusal(300, 200, 5), "shallower than an answered depth: the rate is what refused it").to.equal(false);
    });

    it("suspects a refusal at the deepest answered depth: an answer on its way back still counts here, not at the server", () => {
      const c = new AdaptiveRate(settings, 0);
      wave(c, 0, 6);
      // Depth 6 was answered, but the server may have freed one of those six slots before our count
      // did: a refusal at 6 may be the server's limit of 5 (seen as a 4.7x slower run of the matrix's
      // concurrency row about once in five, read as a rate limit).
      expect(c.concurrencyRefusal(300, 200, 6, 1000)).to.equal(true);
      c.succeeded(400, 320, 1);
      expect(c.concurrencyLimit).to.equal(5);
    });

    it("a suspicion the asking request refutes learns the window from the suspect 429, not from the later one", () => {
      const c = new AdaptiveRate(settings, 0);
      wave(c, 0, 8); // the first grant anchors the burst at 0; 8 successes
      // Refused at 300 with an exact Retry-After of 800 ms: suspect (deepest answered depth + 1).
      expect(c.concurrencyRefusal(300, 200, 9, 800)).to.equal(true);
      // The asking request waited for our own slots and is refused at 1250 (Retry-After 50 ms): a rate limit.
      expect(c.concurrencyRefusal(1250, 1200, 1, 50)).to.equal(false);
      const change = c.throttledAt(1250, 1200, 50) as RateChange;
      // From the suspect 429: 8 in a window of at most 300 + 800 − 0 ms. Read from the asking
      // request's 429 the burst would look 1.25 s long against a 50 ms Retry-After: no window.
      expect(c.windowMs).to.equal(1100);
      expect(change.set).to.be.closeTo((8 * 1000) / 1100, 1e-9);
    });

    it("a suspicion that proves nothing (the asking request answered after the suspect's Retry-After) learns the window from the suspect 429", () => {
      const c = new AdaptiveRate(settings, 0);
      wave(c, 0, 8);
      expect(c.concurrencyRefusal(300, 200, 9, 800)).to.equal(true);
      // Granted at 1050 (held back by our own window) and answered at 1100, after 200 + 800.
      c.succeeded(1100, 1050, 1);
      expect(c.concurrencyLimit).to.equal(undefined);
      expect([c.windowMs, c.phase]).to.deep.equal([1100, "steady"]);
      const change = c.increaseDue(1110) as RateChange;
      expect(change.set, "the burst's 8 in that window").to.be.closeTo((8 * 1000) / 1100, 1e-9);
    });

    it("a learned cap holds in steady state, and grows by one after holding, more slowly each time", () => {
      const c = new AdaptiveRate(settings, 0);
      wave(c, 0, 8);
      c.concurrencyRefusal(300, 200, 9);
      c.succeeded(420, 310, 1); // cap 8 at 420
      apply(c, c.throttledAt(500, 450, 1000) as RateChange, 500); // a rate 429 later: steady
      expect(c.phase).to.equal("steady");
      expect(c.inFlightCap).to.equal(8);
      // Answers at the cap for holdMs (1 s): the cap grows to 9; the next step waits 2 s.
      c.succeeded(1000, 900, 8);
      expect(c.concurrencyLimit).to.equal(8);
      c.succeeded(1500, 1420, 8);
      expect(c.concurrencyLimit).to.equal(9);
      c.succeeded(2600, 2500, 9);
      expect(c.concurrencyLimit, "held 1.1 s of the 2 s now needed").to.equal(9);
      // The step overshoots: a 429 at depth 9 is suspect, the test request succeeds, the cap is 8 again.
      expect(c.concurrencyRefusal(2700, 2650, 9)).to.equal(true);
      c.succeeded(2800, 2710, 1);
      expect(c.concurrencyLimit).to.equal(8);
    });
  });
  describe("a limit that refuses bursts its rate does not exceed (a token bucket with a small burst)", () => {
    /** Held at exactly 50 per second, then its first probe step fails: the step's level and the time of the 429. */
    function failedFirstStep(): { c: AdaptiveRate; step: () => RateChange | undefined; clock: () => number; level: number } {
      const c = learnedFifty();
      const { step, clock, moveTo } = steadyDemand(c, 500, 100);
      while (!c.probeOvershoot(clock())) step();
      const level = c.rate;
      expect(level).to.be.above(50);
      expect(c.intervalMs, "paced at burst × rate").to.be.closeTo(1000 / (level * settings.burst), 1e-9);
      const now = clock();
      apply(c, c.throttledAt(now + 50, now + 10, 1000) as RateChange, now + 50);
      moveTo(now + 50);
      return { c, step, clock, level };
    }

    /** Steps until the next probe; returns the rate it set. */
    function nextProbe(c: AdaptiveRate, step: () => RateChange | undefined, clock: () => number): number {
      const from = clock();
      while (clock() < from + 10_000) if (step() !== undefined && c.probeOvershoot(clock())) return c.rate;
      throw new Error("no probe within 10 s");
    }

    it("tries the failed level once more at a smooth pace, and keeps the smooth pace when that step lasts", () => {
      const { c, step, clock, level } = failedFirstStep();
      expect(c.rate).to.be.below(level);
      // A bucket of 5 refilled 25 per second refuses a second's worth of 13 sent within a quarter
      // of a second, and admits 25 per second sent one every 40 ms: the same level, smoothly.
      expect(nextProbe(c, step, clock), "back to the failed level").to.equal(level);
      expect(c.intervalMs, "one grant every 1/rate s").to.be.closeTo(1000 / level, 1e-9);
      const next = nextProbe(c, step, clock);
      // The failure was the pace's: steps go on doubling as if the failed step had lasted (2 requests, not 1 again).
      expect(next - level, "the step lasted: probing goes on above it").to.equal(2);
      expect(c.intervalMs, "still smooth").to.be.closeTo(1000 / next, 1e-9);
    });

    it("goes back to bursts when the smooth step fails too (the limit was the rate), and tries no more", () => {
      const { c, step, clock, level } = failedFirstStep();
      expect(nextProbe(c, step, clock)).to.equal(level);
      const now = clock();
      apply(c, c.throttledAt(now + 50, now + 10, 1000) as RateChange, now + 50);
      expect(c.intervalMs).to.be.closeTo(1000 / (c.rate * settings.burst), 1e-9);
      // The next failure does not start another trial: the next step is no jump back to a failed level at a smooth pace.
      const probe = nextProbe(c, step, clock);
      expect(c.intervalMs).to.be.closeTo(1000 / (probe * settings.burst), 1e-9);
    });

    it("runs no trial while other processes share the store's pacer", () => {
      const c = learnedFifty();
      for (let i = 0; i < 8; i += 1) c.sharedUse(1, 4);
      const { step, clock, moveTo } = steadyDemand(c, 500, 100);
      while (!c.probeOvershoot(clock())) step();
      const now = clock();
      apply(c, c.throttledAt(now + 50, now + 10, 1000) as RateChange, now + 50);
      moveTo(now + 50);
      const from = clock();
      while (clock() < from + 10_000) {
        step();
        expect(c.intervalMs).to.be.closeTo(1000 / (c.rate * settings.burst), 1e-9);
      }
    });
  });

  describe("a limit with a longer memory than a second (a token bucket)", () => {
    /**
     * 12 successes in the first 120 ms, a 429 at 130: held at exactly 12 per second, a level a
     * bucket of 10 per second reaches on the tokens its cooldowns save. Held, then its first probe
     * step (13) is refused: the bucket is empty at the failure. Returns the failure's time.
     */
    function failedStepAboveABucket(c: AdaptiveRate): number {
      for (let i = 0; i < 12; i += 1) c.succeeded(i * 10, i * 10 - 5);
      apply(c, { initial: 10, set: 640, min: 1, max: 2000 }, 0);
      apply(c, c.throttledAt(130, 125, 1000) as RateChange, 130);
      expect(c.rate).to.equal(12);
      const { step, clock } = steadyDemand(c, 1130, 83);
      while (!c.probeOvershoot(clock())) step();
      expect(c.rate, "the step").to.equal(13);
      const failedAt = clock() + 5;
      expect(c.claimProbeOvershoot(clock())).to.equal(true);
      apply(c, c.throttledAt(failedAt, clock(), 1000) as RateChange, failedAt);
      expect(c.rate, "fell back to the level that lasted").to.equal(12);
      return failedAt;
    }

    it("after a failed probe step, cuts the level it fell back to at a refusal beyond the step's overshoot: to what the bucket refilled since the failure", () => {
      const c = new AdaptiveRate(settings, 0);
      const failedAt = failedStepAboveABucket(c);
      // Sent at 12 per second into a bucket refilling 10: five admitted in the next half second, the sixth refused.
      for (let k = 1; k <= 5; k += 1) {
        c.limited();
        c.succeeded(failedAt + k * 83 + 2, failedAt + k * 83);
      }
      const refused = failedAt + 6 * 83;
      // The step added one request, and its failure was that one's 429: this is no overshoot of the step.
      expect(c.claimProbeOvershoot(refused)).to.equal(false);
      const change = c.throttledAt(refused + 2, refused, 1000) as RateChange | undefined;
      expect(change, "a cut, not a 429 of the failed step's burst").to.not.equal(undefined);
      // Five successes in the 0.5 s since the failure: 10 per second.
      expect(change?.set).to.be.closeTo(10, 0.2);
    });

    it("after a failed probe step, takes a 429 of the step's own overshoot as before: no second cut", () => {
      const c = new AdaptiveRate(settings, 0);
      for (let i = 0; i < 12; i += 1) c.succeeded(i * 10, i * 10 - 5);
      apply(c, { initial: 10, set: 640, min: 1, max: 2000 }, 0);
      apply(c, c.throttledAt(130, 125, 1000) as RateChange, 130);
      const { step, clock } = steadyDemand(c, 1130, 40);
      // A step of at least two requests (held at 12, then 13 lasted, then 15): its second 429 is its overshoot too.
      while (!(c.probeOvershoot(clock()) && c.rate >= 15)) step();
      const failedAt = clock() + 5;
      expect(c.claimProbeOvershoot(clock())).to.equal(true);
      apply(c, c.throttledAt(failedAt, clock(), 1000) as RateChange, failedAt);
      c.succeeded(failedAt + 60, failedAt + 58);
      c.succeeded(failedAt + 100, failedAt + 98);
      // Two successes in the 400 ms since the failure would read 5 per second: not read, this 429 is the step's.
      expect(c.claimProbeOvershoot(failedAt + 400), "the step's second request").to.equal(true);
      expect(c.throttledAt(failedAt + 402, failedAt + 400, 1000)).to.equal(undefined);
    });

    /**
     * 24 successes in the first 240 ms, then a 429 at 300 (Retry-After 1 s): 24 per second, held
     * exactly. Then a bucket of 20 per second: after the cooldown it holds the 20 tokens it saved,
     * and admits the 24 per second sent until they run out, 5 s later.
     */
    function heldAboveABucket(): { c: AdaptiveRate; refusedAt: number } {
      const c = new AdaptiveRate(settings, 0);
      for (let i = 0; i < 24; i += 1) c.succeeded(i * 10, i * 10 - 5);
      apply(c, { initial: 10, set: 640, min: 1, max: 2000 }, 0);
      apply(c, c.throttledAt(300, 295, 1000) as RateChange, 300);
      expect(c.rate).to.equal(24);
      // 120 successes from the cooldown's end (1300) to 6300: 24 per second for 5 s.
      for (let i = 1; i <= 120; i += 1) {
        c.limited();
        c.succeeded(1300 + (i * 1000) / 24, 1300 + (i * 1000) / 24 - 5);
      }
      return { c, refusedAt: 6300 };
    }

    it("reads the rate sustained between two refusals, not the last second's successes, which hold the saved tokens", () => {
      const { c, refusedAt } = heldAboveABucket();
      const change = c.throttledAt(refusedAt, refusedAt - 5, 1000) as RateChange;
      // 120 admitted in the 6 s since the last refusal: 20 per second, held as a whole count.
      expect(change.set).to.equal(20);
      expect(c.ceiling).to.equal(20);
    });

    it("restarts the count when the queue ran dry: a span without demand says nothing", () => {
      const { c, refusedAt } = heldAboveABucket();
      // Nobody waited from 5000 on: only 1.3 s of demand before the refusal, too short to read a rate over.
      c.drained(5000);
      const change = c.throttledAt(refusedAt, refusedAt - 5, 1000) as RateChange;
      // Read from the last second as before (a rate from its buckets, with margin), not 119 / 6.
      expect(change.set, "the last second's reading").to.be.above(22);
    });

    it("reads a one-second window's refusal soon after its cooldown from the last second, not over the cooldown", () => {
      const c = new AdaptiveRate(settings, 0);
      for (let i = 0; i < 50; i += 1) c.succeeded(i * 5, i * 5 - 2);
      apply(c, { initial: 10, set: 640, min: 1, max: 2000 }, 0);
      // A Retry-After of 2 s: the cooldown lasts until 2300. Then 50 more at once, and a 429 at
      // 2510 (the rate went above the window's limit). Over the 2.2 s since the last refusal that
      // is 22 per second; the window admits 50 in each second.
      apply(c, c.throttledAt(300, 295, 2000) as RateChange, 300);
      apply(c, { initial: 50, set: 60, min: 1, max: 2000 }, 1000);
      for (let i = 0; i < 50; i += 1) {
        c.limited();
        c.succeeded(2300 + i * 4, 2300 + i * 4 - 2);
      }
      const change = c.throttledAt(2510, 2505, 1000) as RateChange;
      expect(change.set).to.equal(50);
    });

    it("counts a cooldown without Retry-After (the handler's default) as time nothing was sent", () => {
      const c = new AdaptiveRate(settings, 0);
      for (let i = 0; i < 50; i += 1) c.succeeded(i * 5, i * 5 - 2);
      apply(c, { initial: 10, set: 640, min: 1, max: 2000 }, 0);
      // No Retry-After: the handler cools the key down for its default, 5 s here.
      apply(c, c.throttledAt(300, 295, undefined, 5000) as RateChange, 300);
      expect(c.rate).to.equal(50);
      // After the cooldown, 50 at once, and a 429 210 ms later: the rate was sent for 210 ms, not 5.2 s.
      for (let i = 0; i < 50; i += 1) {
        c.limited();
        c.succeeded(5300 + i * 4, 5300 + i * 4 - 2);
      }
      const change = c.throttledAt(5510, 5505, undefined, 5000) as RateChange;
      // Read from the last second, not as 50 over the 5.2 s since the last refusal.
      expect(change.set).to.be.at.least(45);
    });

    /**
     * A bucket of 20 per second (20 tokens saved during each 1 s cooldown, up to 100) that the
     * controller sends to at its own rate, each request answered 5 ms after its grant, from `from`
     * until the first 429 (the rate found from {@link heldAboveABucket}, 20 per second, lasts).
     * Returns the 429's time and what the rate was when it came.
     */
    function sendToBucket(c: AdaptiveRate, from: number, saved: number): { refusedAt: number; rateAtRefusal: number } {
      let tokens = saved;
      let credit = 0;
      for (let now = from; now < from + 120_000; now += 5) {
        tokens = Math.min(100, tokens + 20 * 0.005);
        credit += (c.rate * 5) / 1000;
        if (credit < 1) continue;
        credit -= 1;
        if (tokens < 1) return { refusedAt: now + 5, rateAtRefusal: c.rate };
        tokens -= 1;
        c.limited();
        c.succeeded(now + 5, now);
        const change = c.increaseDue(now + 5);
        if (change !== undefined) apply(c, change, now + 5);
      }
      throw new Error("the bucket never refused");
    }

    it("once it found a bucket, a failed probe step falls back to what the bucket admitted since its cooldown, not to the level the saved tokens carried", () => {
      const { c, refusedAt } = heldAboveABucket();
      apply(c, c.throttledAt(refusedAt, refusedAt - 5, 1000) as RateChange, refusedAt);
      expect(c.rate, "the bucket's rate, read between two refusals").to.equal(20);
      // The cooldown saved 20 tokens: each probe step above 20 per second lasts on them, until one
      // step is refused with the rate some way above the bucket's.
      const { refusedAt: failedAt, rateAtRefusal } = sendToBucket(c, refusedAt + 1000, 20);
      expect(rateAtRefusal, "a probe step above the bucket's rate").to.be.above(21);
      expect(c.probeOvershoot(failedAt - 5)).to.equal(true);
      const change = c.throttledAt(failedAt, failedAt - 5, 1000) as RateChange;
      // The levels below the step "lasted" a probe span each on the saved tokens; over the whole
      // span since the cooldown the bucket admitted its rate plus those 20 tokens once.
      expect(change.set, `fell back from ${rateAtRefusal.toFixed(1)} per second`).to.be.at.most(22);
      expect(change.set).to.be.at.least(20);
    });

    it("once it found a bucket, a cut at the held rate is the saved tokens running out, not a limit that dropped: no climb back to it", () => {
      const { c, refusedAt } = heldAboveABucket();
      apply(c, c.throttledAt(refusedAt, refusedAt - 5, 1000) as RateChange, refusedAt);
      const { refusedAt: failedAt } = sendToBucket(c, refusedAt + 1000, 20);
      apply(c, c.throttledAt(failedAt, failedAt - 5, 1000) as RateChange, failedAt);
      // Held above the bucket's rate by a few per second (a reading on the high side), until its tokens run out.
      apply(c, { initial: c.rate, set: 23, min: 1, max: 2000 }, failedAt + 1000);
      const held = c.rate;
      const { refusedAt: cutAt } = sendToBucket(c, failedAt + 1000, 20);
      apply(c, c.throttledAt(cutAt, cutAt - 5, 1000) as RateChange, cutAt);
      expect(c.rate).to.be.below(held);
      // The climb (toward a level a dropped limit held, in bigger steps) is internal: read it directly.
      expect((c as unknown as { climb: unknown }).climb, "no climb back to a level the bucket never sustained").to.equal(undefined);
    });

    it("probes a bucket's rate a step per span the rate above it lasted, not per second, halving the span while steps last", () => {
      const { c, refusedAt } = heldAboveABucket();
      apply(c, c.throttledAt(refusedAt, refusedAt - 5, 1000) as RateChange, refusedAt);
      const { step, clock } = steadyDemand(c, refusedAt + 1000, 50);
      const probes: number[] = [];
      while (probes.length < 4 && clock() < 60_000) if (step() !== undefined) probes.push(clock());
      expect(probes).to.have.length(4);
      const gaps = probes.slice(1).map((at, i) => at - (probes[i] ?? 0));
      // The rate above it lasted 5 s (from the cooldown's end to the refusal): the first steps must last that long.
      expect((probes[0] ?? 0) - refusedAt).to.be.at.least(5000);
      expect(gaps[0]).to.be.at.least(5000);
      // A step that lasted halves the span (a budget another process left is taken up in seconds, not minutes).
      expect(gaps[1]).to.be.within(2500, 2500 + 50);
      expect(gaps[2]).to.be.within(1250, 1250 + 50);
    });
  });
});
