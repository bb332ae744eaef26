import { expect } from "chai";
import sinon from "sinon";
import { clampTimerDelay, MAX_TIMER_MS, setSafeInterval, setSafeTimeout } from "../../lib/chain/safeTimer.js";

describe("safeTimer", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it("clamps every delay into setTimeout's range", () => {
    expect(MAX_TIMER_MS).to.equal(2 ** 31 - 1);
    expect(clampTimerDelay(1500)).to.equal(1500);
    expect(clampTimerDelay(-5)).to.equal(0);
    expect(clampTimerDelay(Number.NaN)).to.equal(0);
    expect(clampTimerDelay(1e12)).to.equal(MAX_TIMER_MS);
    expect(clampTimerDelay(Number.POSITIVE_INFINITY)).to.equal(MAX_TIMER_MS);
  });

  it("fires once after a wait beyond one timer's range, never early and without a spin", () => {
    const fired = sinon.spy();
    const setTimeoutSpy = sinon.spy(globalThis, "setTimeout");
    try {
      setSafeTimeout(fired, 1e12);
      clock.tick(1e12 - 1);
      expect(fired.called).to.equal(false);
      clock.tick(1);
      expect(fired.calledOnce).to.equal(true);
      // 1e12 ms in steps of 2^31-1: 466 timers, not one timer per millisecond.
      expect(setTimeoutSpy.callCount).to.equal(Math.ceil(1e12 / MAX_TIMER_MS));
    } finally {
      setTimeoutSpy.restore();
    }
  });

  it("clears at any step, and Infinity never fires", () => {
    const fired = sinon.spy();
    const timer = setSafeTimeout(fired, 3 * MAX_TIMER_MS);
    clock.tick(MAX_TIMER_MS + 10);
    expect(clock.countTimers()).to.equal(1);
    timer.clear();
    expect(clock.countTimers()).to.equal(0);
    setSafeTimeout(fired, Number.POSITIVE_INFINITY);
    clock.tick(10 * MAX_TIMER_MS);
    expect(fired.called).to.equal(false);
    expect(clock.countTimers()).to.equal(1);
  });

  it("treats negative and NaN delays as 0", () => {
    const fired = sinon.spy();
    setSafeTimeout(fired, Number.NaN);
    setSafeTimeout(fired, -1);
    clock.tick(0);
    expect(fired.calledTwice).to.equal(true);
  });

  it("repeats an interval until cleared, from inside the callback too, with one timer at a time", () => {
    let calls = 0;
    const interval = setSafeInterval(() => {
      calls += 1;
      if (calls === 3) interval.clear();
    }, 1000);
    expect(clock.countTimers()).to.equal(1);
    clock.tick(2500);
    expect(calls).to.equal(2);
    expect(clock.countTimers()).to.equal(1);
    clock.tick(10_000);
    expect(calls).to.equal(3);
    expect(clock.countTimers()).to.equal(0);
  });

  it("keeps an interval on the clock it started on, so fake timers installed later never inherit it", async () => {
    clock.restore();
    let calls = 0;
    const interval = setSafeInterval(() => (calls += 1), 5, { unref: true });
    clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      // Real time passes (the fake clock does not): the interval still runs, on real timers only.
      const started = Date.now();
      while (calls < 2 && Date.now() - started < 2000) await new Promise((resolve) => setImmediate(resolve));
      expect(calls).to.be.at.least(2);
      expect(clock.countTimers()).to.equal(0);
    } finally {
      interval.clear();
    }
  });

  it("unrefs its timers on request, so housekeeping never keeps a process alive", () => {
    clock.restore();
    const unref = sinon.spy();
    const stub = sinon.stub(globalThis, "setTimeout").returns({ unref } as unknown as ReturnType<typeof setTimeout>);
    try {
      setSafeTimeout(() => undefined, 10, { unref: true });
      setSafeTimeout(() => undefined, 10);
      expect(unref.callCount).to.equal(1);
    } finally {
      stub.restore();
      clock = sinon.useFakeTimers();
    }
  });
});

describe("safeTimer in a browser", () => {
  // A browser's timer functions throw "Illegal invocation" unless called on the global object.
  it("calls setTimeout and clearTimeout on the global object", () => {
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    const strict = <F extends (...args: never[]) => unknown>(fn: F): F =>
      function (this: unknown, ...args: Parameters<F>) {
        if (this !== globalThis && this !== undefined) throw new TypeError("Illegal invocation");
        return fn.apply(globalThis, args);
      } as F;
    globalThis.setTimeout = strict(realSet);
    globalThis.clearTimeout = strict(realClear);
    try {
      const once = setSafeTimeout(() => undefined, 10);
      once.clear();
      const repeat = setSafeInterval(() => undefined, 10);
      repeat.clear();
    } finally {
      globalThis.setTimeout = realSet;
      globalThis.clearTimeout = realClear;
    }
  });
});
