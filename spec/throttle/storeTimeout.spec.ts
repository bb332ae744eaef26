import { expect } from "chai";
import sinon from "sinon";
import { StoreTimeoutError, withStoreTimeout } from "../../lib/throttle/storeTimeout.js";

describe("throttle/storeTimeout", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(() => clock.restore());

  it("resolves with the call's value and clears its timer", async () => {
    const result = await withStoreTimeout(Promise.resolve(7), 250, "reserve");
    expect(result).to.equal(7);
    expect(clock.countTimers()).to.equal(0);
  });

  it("rejects with a timeout error one loop turn after timeoutMs when the call hangs", async () => {
    let settled: unknown;
    withStoreTimeout(new Promise(() => undefined), 250, "reserve").catch((error: unknown) => (settled = error));
    await clock.tickAsync(250);
    expect(settled).to.equal(undefined);
    await clock.tickAsync(1);
    expect(settled).to.be.instanceOf(StoreTimeoutError);
    expect(clock.countTimers()).to.equal(0);
    expect((settled as StoreTimeoutError).timeoutMs).to.equal(250);
    expect((settled as Error).message).to.equal("Throttle store did not answer reserve within 250 ms");
  });

  it("lets a value that arrives by the end of the timeout's turn win", async () => {
    let resolveLate: (value: number) => void = () => undefined;
    const late = new Promise<number>((resolve) => (resolveLate = resolve));
    const answer = withStoreTimeout(late, 250, "readRate");
    await clock.tickAsync(250);
    resolveLate(3);
    expect(await answer).to.equal(3);
    expect(clock.countTimers()).to.equal(0);
  });

  it("passes the call's rejection through and clears its timer", async () => {
    let settled: unknown;
    await withStoreTimeout(Promise.reject(new Error("boom")), 250, "reserve").catch((error: unknown) => (settled = error));
    expect((settled as Error).message).to.equal("boom");
    expect(clock.countTimers()).to.equal(0);
  });

  it("swallows a rejection that arrives after the timeout (no unhandled rejection)", async () => {
    const unhandled = sinon.spy();
    process.on("unhandledRejection", unhandled);
    try {
      let rejectLate: (error: Error) => void = () => undefined;
      const late = new Promise<never>((_, reject) => (rejectLate = reject));
      const timedOut = withStoreTimeout(late, 10, "readRate").catch(() => "timed out");
      await clock.tickAsync(11);
      expect(await timedOut).to.equal("timed out");
      rejectLate(new Error("Connection is closed."));
      await clock.runAllAsync();
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled.called).to.equal(false);
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  });
});
