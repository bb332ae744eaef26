import { expect } from "chai";
import sinon from "sinon";
import { logThrottle } from "../../lib/throttle/logThrottleEvents.js";
import type { ThrottleEvent, ThrottleReason } from "../../lib/throttle/ThrottleEvents.js";

const event = (reason: ThrottleReason, waitMs: number): ThrottleEvent => ({ key: "t1/a1", tenant: "t1", app: "a1", workload: "", reason, waitMs, queued: 2 });

describe("logThrottle", () => {
  it("logs waits with their length, cooldowns at warn and routine waits at debug", () => {
    const logger = { debug: sinon.spy(), info: sinon.spy(), warn: sinon.spy() };
    logThrottle(logger, event("cooldown", 1200.4));
    logThrottle(logger, event("pace", 12));
    expect(logger.warn.firstCall.args[0]).to.equal("Graph throttle cooldown wait of 1200 ms on t1/a1, 2 queued");
    expect(logger.debug.firstCall.args[0]).to.equal("Graph throttle pace wait of 12 ms on t1/a1, 2 queued");
  });

  it("logs findings as what was found, at info, not as a wait of 0 ms", () => {
    const logger = { debug: sinon.spy(), info: sinon.spy(), warn: sinon.spy() };
    logThrottle(logger, event("budget-share", 0));
    logThrottle(logger, event("refunds-off", 0));
    expect(logger.info.args.map((args) => args[0])).to.deep.equal([
      "Graph throttle cut this process's share of a budget (a 429 the budget did not predict) on t1/a1, 2 queued",
      "Graph throttle stopped refunding faulted attempts (a 429 followed a refund) on t1/a1, 2 queued",
    ]);
    expect(logger.debug.called || logger.warn.called).to.equal(false);
  });

  it("logs a refused request (queue full) at warn", () => {
    const logger = { warn: sinon.spy() };
    logThrottle(logger, event("queue-full", 0));
    expect(logger.warn.firstCall.args[0]).to.equal("Graph throttle refused a request (queue full) on t1/a1, 2 queued");
  });
});
