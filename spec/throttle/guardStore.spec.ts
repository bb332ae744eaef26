import { expect } from "chai";
import sinon from "sinon";
import { guardStore, type StoreErrorEvent } from "../../lib/throttle/guardStore.js";
import { MemoryThrottleStore } from "../../lib/throttle/MemoryThrottleStore.js";
import type { ThrottleStore } from "../../lib/throttle/ThrottleStore.js";

function brokenStore(behaviour: "throw" | "reject" | "hang"): ThrottleStore {
  const fail = (): Promise<never> => {
    if (behaviour === "throw") throw new Error("sync boom");
    if (behaviour === "reject") return Promise.reject(new Error("async boom"));
    return new Promise<never>(() => undefined);
  };
  return { reserve: fail, extendCooldown: fail, cooldownRemaining: fail, readRate: fail, adjustRate: fail };
}

describe("guardStore", () => {
  it("returns the in-memory store as it is", () => {
    const store = new MemoryThrottleStore();
    expect(guardStore(store, { timeoutMs: 10, now: Date.now, onError: () => undefined })).to.equal(store);
  });

  for (const behaviour of ["throw", "reject"] as const) {
    it(`answers from a local fallback when the store calls ${behaviour}, and reports it`, async () => {
      const events: StoreErrorEvent[] = [];
      const guarded = guardStore(brokenStore(behaviour), { timeoutMs: 1000, now: Date.now, onError: (e) => events.push(e) });
      const request = { windows: [{ key: "w", limit: 1, windowMs: 60_000 }], cooldownKey: "c" };
      expect((await guarded.reserve(request)).granted).to.equal(true);
      // The fallback keeps throttling: the budget of 1 is now used.
      expect((await guarded.reserve(request)).granted).to.equal(false);
      expect(await guarded.extendCooldown("c", 500)).to.equal(500);
      expect(await guarded.adjustRate("r", { initial: 5, multiply: 2, min: 1, max: 100 })).to.equal(10);
      expect(await guarded.readRate("r")).to.equal(10);
      expect(events.map((e) => e.operation)).to.deep.equal(["reserve", "reserve", "extendCooldown", "adjustRate", "readRate"]);
    });
  }

  it("gives up on a hanging store after timeoutMs and leaves no timer", async () => {
    const clock = sinon.useFakeTimers();
    try {
      const onError = sinon.spy();
      const guarded = guardStore(brokenStore("hang"), { timeoutMs: 250, now: () => clock.now, onError });
      const answer = guarded.cooldownRemaining("c");
      await clock.tickAsync(250);
      expect(await answer).to.equal(0);
      expect(onError.calledOnce).to.equal(true);
      expect(String((onError.firstCall.args[0] as StoreErrorEvent).error)).to.match(/250 ms/);
      expect(clock.countTimers()).to.equal(0);
    } finally {
      clock.restore();
    }
  });
});
