import { expect } from "chai";
import sinon from "sinon";
import { abortableDelay } from "../../lib/chain/abortableDelay.js";
import { MAX_TIMER_MS } from "../../lib/chain/safeTimer.js";

describe("abortableDelay", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it("resolves after the delay and leaves no timer or listener", async () => {
    const controller = new AbortController();
    const spy = sinon.spy(controller.signal, "removeEventListener");
    let done = false;
    const wait = abortableDelay(1000, controller.signal).then(() => (done = true));
    await clock.tickAsync(999);
    expect(done).to.equal(false);
    await clock.tickAsync(1);
    await wait;
    expect(done).to.equal(true);
    expect(clock.countTimers()).to.equal(0);
    expect(spy.calledWith("abort")).to.equal(true);
  });

  it("rejects with the abort reason at once and clears its timer", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    const wait = abortableDelay(60_000, controller.signal);
    expect(clock.countTimers()).to.equal(1);
    controller.abort(reason);
    const error = await wait.catch((e: unknown) => e);
    expect(error).to.equal(reason);
    expect(clock.countTimers()).to.equal(0);
  });

  it("rejects without a timer when already aborted", async () => {
    const reason = new Error("already");
    const error = await abortableDelay(10, AbortSignal.abort(reason)).catch((e: unknown) => e);
    expect(error).to.equal(reason);
    expect(clock.countTimers()).to.equal(0);
  });

  it("treats a negative delay as 0, and serves one beyond setTimeout's range whole, on one timer", async () => {
    let done = false;
    abortableDelay(-5).then(() => (done = true));
    await clock.tickAsync(0);
    expect(done).to.equal(true);
    const controller = new AbortController();
    const long = abortableDelay(Number.MAX_SAFE_INTEGER, controller.signal).catch(() => "aborted");
    await clock.tickAsync(1000);
    expect(clock.countTimers()).to.equal(1);
    expect(MAX_TIMER_MS).to.equal(2 ** 31 - 1);
    controller.abort();
    expect(await long).to.equal("aborted");
    expect(clock.countTimers()).to.equal(0);
    let ended = false;
    const twoMaxima = abortableDelay(2 * MAX_TIMER_MS + 5).then(() => (ended = true));
    clock.tick(2 * MAX_TIMER_MS + 4);
    await Promise.resolve();
    expect(ended).to.equal(false);
    await clock.tickAsync(1);
    await twoMaxima;
    expect(ended).to.equal(true);
  });
});
