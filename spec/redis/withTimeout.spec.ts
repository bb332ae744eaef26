import { expect } from "chai";
import sinon from "sinon";
import { RedisCommandTimeoutError, withTimeout } from "../../lib/redis/withTimeout.js";
import { connectRedis } from "./support/redisTestEnv.js";

describe("redis/withTimeout", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(() => clock.restore());

  it("resolves with the call's value and clears its timer", async () => {
    const result = await withTimeout(Promise.resolve(7), 250, "reserve");
    expect(result).to.equal(7);
    expect(clock.countTimers()).to.equal(0);
  });

  it("rejects with a timeout error after exactly timeoutMs when the call hangs", async () => {
    let settled: unknown;
    withTimeout(new Promise(() => undefined), 250, "reserve").catch((error: unknown) => (settled = error));
    await clock.tickAsync(249);
    expect(settled).to.equal(undefined);
    await clock.tickAsync(1);
    expect(settled).to.be.instanceOf(RedisCommandTimeoutError);
    expect(clock.countTimers()).to.equal(0);
    expect((settled as RedisCommandTimeoutError).timeoutMs).to.equal(250);
    expect((settled as Error).message).to.equal("Redis did not answer reserve within 250 ms");
  });

  it("passes the call's rejection through and clears its timer", async () => {
    let settled: unknown;
    await withTimeout(Promise.reject(new Error("boom")), 250, "reserve").catch((error: unknown) => (settled = error));
    expect((settled as Error).message).to.equal("boom");
    expect(clock.countTimers()).to.equal(0);
  });

  it("swallows a rejection that arrives after the timeout (no unhandled rejection)", async () => {
    const unhandled = sinon.spy();
    process.on("unhandledRejection", unhandled);
    try {
      let rejectLate: (error: Error) => void = () => undefined;
      const late = new Promise<never>((_, reject) => (rejectLate = reject));
      const timedOut = withTimeout(late, 10, "readRate").catch(() => "timed out");
      await clock.tickAsync(10);
      expect(await timedOut).to.equal("timed out");
      rejectLate(new Error("Connection is closed."));
      await clock.runAllAsync();
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled.called).to.equal(false);
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  });

  describe("with real timers", () => {
    beforeEach(() => clock.restore());

    it("lets a reply that arrived while the event loop was blocked win over the timer", async () => {
      const redis = await connectRedis();
      try {
        const answer = withTimeout(redis.ping(), 20, "ping");
        // Block the loop well past the timeout; Redis answers meanwhile and the reply waits on the socket.
        const until = Date.now() + 300;
        while (Date.now() < until) {
          // busy
        }
        expect(await answer).to.equal("PONG");
      } finally {
        redis.disconnect();
      }
    });
  });
});
