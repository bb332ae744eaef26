import { expect } from "chai";
import sinon from "sinon";
import { createStoreOutage } from "../../lib/throttle/storeOutage.js";
import type { StoreCall } from "../../lib/throttle/storeCall.js";

describe("throttle/storeOutage", () => {
  it("keeps probing on the timers it was made with, even after a fake clock is installed (none leaks into it)", async () => {
    let probes = 0;
    const outage = createStoreOutage({
      probeIntervalMs: 20,
      probe: async () => {
        probes += 1;
        throw new Error("still down");
      },
      now: () => Date.now(),
      onFallback: undefined,
      onRecover: undefined,
    });
    const call: StoreCall = { operation: "cooldownRemaining", key: "k" };
    outage.trip(outage.epoch, call, new Error("down"));
    // Captured before the fake clock: the real setTimeout, to wait with while it is installed.
    const realSetTimeout = globalThis.setTimeout;
    const realSleep = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms));
    const clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    try {
      await realSleep(120);
      expect(clock.countTimers(), "no probe timer taken over by the fake clock").to.equal(0);
    } finally {
      clock.restore();
      outage.close();
    }
    expect(probes, "probing went on, on real timers").to.be.at.least(2);
  });
});
