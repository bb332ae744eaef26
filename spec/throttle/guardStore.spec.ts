import { expect } from "chai";
import sinon from "sinon";
import { guardStore, needsGuard, type GuardStoreSettings } from "../../lib/throttle/guardStore.js";
import { MemoryThrottleStore } from "../../lib/throttle/MemoryThrottleStore.js";
import type { StoreFallbackEvent, StoreRecoverEvent } from "../../lib/throttle/StoreEvents.js";
import type { ThrottleStore } from "../../lib/throttle/ThrottleStore.js";

type Behaviour = "ok" | "hang" | "fail" | "throw";

/** A store whose answers the test switches between working, hanging and failing. */
function scriptedStore(name: string) {
  const state = { behaviour: "ok" as Behaviour, calls: [] as string[] };
  const answer = <T>(call: string, value: T): Promise<T> => {
    state.calls.push(call);
    if (state.behaviour === "throw") throw new Error(`${name} threw`);
    if (state.behaviour === "hang") return new Promise<T>(() => undefined);
    if (state.behaviour === "fail") return Promise.reject(new Error(`${name} failed: redis://user:pw@host refused`));
    return Promise.resolve(value);
  };
  const store: ThrottleStore = {
    reserve: (request) => answer(`reserve ${request.cooldownKey}`, { granted: true }),
    refund: (request) => answer(`refund ${request.windowKeys.join(",")}`, undefined),
    extendCooldown: (key, ms) => answer(`extendCooldown ${key} ${ms}`, ms),
    cooldownRemaining: (key) => answer(`cooldownRemaining ${key}`, name === "primary" ? 111 : 222),
    readRate: (key) => answer(`readRate ${key}`, name === "primary" ? 1 : 2),
    adjustRate: (key, change) => answer(`adjustRate ${key} ${change.set ?? "-"}`, name === "primary" ? 5 : 6),
    countGrants: (request) => answer(`countGrants ${request.windowKey}`, name === "primary" ? 100 : 25),
  };
  return { store, state };
}

describe("throttle/guardStore", () => {
  let clock: sinon.SinonFakeTimers;
  let primary: ReturnType<typeof scriptedStore>;
  let fallback: ReturnType<typeof scriptedStore>;
  let fallbacks: StoreFallbackEvent[];
  let recoveries: StoreRecoverEvent[];

  const build = (overrides: Partial<GuardStoreSettings> = {}, store: ThrottleStore = primary.store) =>
    guardStore(store, {
      fallback: fallback.store,
      timeoutMs: 250,
      probeIntervalMs: 1000,
      now: () => Date.now(),
      onFallback: (event) => fallbacks.push(event),
      onRecover: (event) => recoveries.push(event),
      ...overrides,
    });
  const probesOf = (call: string) => primary.state.calls.filter((c) => c === call).length;

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    primary = scriptedStore("primary");
    fallback = scriptedStore("fallback");
    fallbacks = [];
    recoveries = [];
  });
  afterEach(() => clock.restore());

  it("leaves the in-memory store unguarded (it cannot fail) and guards every other store", () => {
    expect(needsGuard(new MemoryThrottleStore())).to.equal(false);
    expect(needsGuard(primary.store)).to.equal(true);
  });

  it("answers from the store and copies grants, cooldowns, rates and refunds into the fallback", async () => {
    const store = build();
    expect(await store.cooldownRemaining("c")).to.equal(111);
    expect(await store.reserve({ windows: [], cooldownKey: "c" })).to.deep.equal({ granted: true });
    expect(await store.extendCooldown("c", 1200)).to.equal(1200);
    expect(await store.adjustRate("r", { initial: 10, multiply: 0.5, min: 1, max: 50 })).to.equal(5);
    await store.refund({ windowKeys: ["w"] });
    await clock.tickAsync(0);
    expect(fallback.state.calls).to.deep.equal(["reserve c", "extendCooldown c 1200", "adjustRate r 5", "refund w"]);
    expect(store.usingFallback).to.equal(false);
    expect(clock.countTimers()).to.equal(0);
  });

  for (const behaviour of ["fail", "throw"] as const) {
    it(`falls back at once when a call ${behaviour}s, with secrets masked in the one event`, async () => {
      const store = build();
      primary.state.behaviour = behaviour;
      expect(await store.reserve({ windows: [], cooldownKey: "k" })).to.deep.equal({ granted: true });
      expect(await store.readRate("k")).to.equal(2);
      expect(fallback.state.calls).to.deep.equal(["reserve k", "readRate k"]);
      expect(fallbacks).to.have.length(1);
      expect(fallbacks[0]!.operation).to.equal("reserve");
      expect(fallbacks[0]!.error.message).to.equal(behaviour === "fail" ? "primary failed: redis://***@host refused" : "primary threw");
      await store.close();
    });
  }

  it("counts a window in the store only: never the fallback's count (this process's grants), not during an outage, not when it fails", async () => {
    const guarded = build();
    const request = { windowKey: "w", spanMs: 1000, cooldownKey: "c" };
    expect(await guarded.countGrants(request)).to.equal(100);
    primary.state.behaviour = "fail";
    expect(await guarded.countGrants(request), "the failed count trips the outage").to.equal(undefined);
    expect(fallbacks).to.have.length(1);
    expect(await guarded.countGrants(request), "during the outage").to.equal(undefined);
    expect(fallback.state.calls.filter((c) => c.startsWith("countGrants"))).to.deep.equal([]);
    const { countGrants: _absent, ...withoutCount } = primary.store;
    expect(await build({}, withoutCount).countGrants(request), "a store that cannot count").to.equal(undefined);
  });

  it("falls back one loop turn after the timeout when the store hangs, and sends later calls straight to the fallback", async () => {
    const store = build();
    primary.state.behaviour = "hang";
    const pending = [store.cooldownRemaining("a"), store.readRate("b"), store.cooldownRemaining("c")];
    await clock.tickAsync(250);
    expect(fallbacks).to.have.length(0);
    await clock.tickAsync(1);
    expect(await Promise.all(pending)).to.deep.equal([222, 2, 222]);
    expect(store.usingFallback).to.equal(true);
    expect(fallbacks).to.have.length(1);
    expect(fallbacks[0]!.operation).to.equal("cooldownRemaining");
    expect(fallbacks[0]!.error.message).to.equal("Throttle store did not answer cooldownRemaining within 250 ms");
    expect(fallbacks[0]!.error.name).to.equal("StoreTimeoutError");
    const callsBefore = primary.state.calls.length;
    expect(await store.cooldownRemaining("d")).to.equal(222);
    expect(primary.state.calls.length).to.equal(callsBefore);
    await store.close();
  });

  it("probes every probeIntervalMs by replaying the failed call, bounded by the timeout, and recovers when it answers", async () => {
    const store = build();
    primary.state.behaviour = "fail";
    await store.readRate("x");
    await clock.tickAsync(999);
    expect(probesOf("readRate x")).to.equal(1);
    await clock.tickAsync(1);
    expect(probesOf("readRate x")).to.equal(2);
    // A hanging probe is abandoned after the timeout and the next one follows probeIntervalMs later.
    primary.state.behaviour = "hang";
    await clock.tickAsync(1000);
    expect(probesOf("readRate x")).to.equal(3);
    await clock.tickAsync(251 + 1000);
    expect(probesOf("readRate x")).to.equal(4);
    expect(store.usingFallback).to.equal(true);
    primary.state.behaviour = "ok";
    await clock.tickAsync(251 + 1000);
    expect(probesOf("readRate x")).to.equal(5);
    expect(store.usingFallback).to.equal(false);
    expect(recoveries).to.have.length(1);
    expect(recoveries[0]!.outageMs).to.equal(4502);
    expect(fallbacks).to.have.length(1);
    expect(await store.readRate("x")).to.equal(1);
    // No probing while healthy.
    await clock.tickAsync(5000);
    expect(probesOf("readRate x")).to.equal(6);
    expect(clock.countTimers()).to.equal(0);
  });

  it("probes a failed reserve with the same reserve and gives the probe's grant back", async () => {
    const store = build();
    primary.state.behaviour = "fail";
    const request = { windows: [{ key: "w1", limit: 5, windowMs: 1000 }], cooldownKey: "c" };
    await store.reserve(request);
    primary.state.behaviour = "ok";
    await clock.tickAsync(1000);
    expect(primary.state.calls).to.deep.equal(["reserve c", "reserve c", "refund w1"]);
    expect(store.usingFallback).to.equal(false);
  });

  it("probes writes with reads of the same key, so a probe never changes a cooldown or a rate", async () => {
    const store = build();
    primary.state.behaviour = "fail";
    await store.extendCooldown("c", 5000);
    primary.state.behaviour = "ok";
    await clock.tickAsync(1000);
    expect(primary.state.calls).to.deep.equal(["extendCooldown c 5000", "cooldownRemaining c"]);
    primary.state.behaviour = "fail";
    await store.adjustRate("r", { initial: 1, set: 3, min: 1, max: 5 });
    primary.state.behaviour = "ok";
    await clock.tickAsync(1000);
    expect(primary.state.calls.slice(2)).to.deep.equal(["adjustRate r 3", "readRate r"]);
    expect(recoveries).to.have.length(2);
  });

  it("stays on the fallback, without flapping, while only the failed call keeps failing", async () => {
    let badCalls = 0;
    const broken: ThrottleStore = {
      ...primary.store,
      reserve: (request) => {
        if (request.cooldownKey !== "bad") return primary.store.reserve(request);
        badCalls += 1;
        return Promise.reject(new Error("WRONGTYPE bad key"));
      },
    };
    const guarded = build({}, broken);
    await guarded.reserve({ windows: [], cooldownKey: "bad" });
    expect(await guarded.reserve({ windows: [], cooldownKey: "good" })).to.deep.equal({ granted: true });
    await clock.tickAsync(10_000);
    expect(guarded.usingFallback).to.equal(true);
    expect(fallbacks.map((e) => e.error.message)).to.deep.equal(["WRONGTYPE bad key"]);
    expect(recoveries).to.deep.equal([]);
    // The call, then ten probes, each the failed reserve again; "good" went to the fallback.
    expect(badCalls).to.equal(11);
    expect(primary.state.calls).to.deep.equal([]);
    await guarded.close();
  });

  it("starts a new outage (and event) when the store fails again after a recovery", async () => {
    const store = build();
    primary.state.behaviour = "fail";
    await store.readRate("x");
    primary.state.behaviour = "ok";
    await clock.tickAsync(1000);
    expect(store.usingFallback).to.equal(false);
    primary.state.behaviour = "hang";
    const fresh = store.readRate("y");
    await clock.tickAsync(251);
    expect(await fresh).to.equal(2);
    expect(fallbacks.map((event) => event.operation)).to.deep.equal(["readRate", "readRate"]);
    expect(recoveries).to.have.length(1);
    expect(store.usingFallback).to.equal(true);
    await store.close();
  });

  it("does not trip a new outage for a call that began before a recovery and failed after it", async () => {
    const store = build({ probeIntervalMs: 100 });
    primary.state.behaviour = "hang";
    const stale = store.readRate("started-while-healthy");
    primary.state.behaviour = "fail";
    await store.readRate("trips"); // outage 1 at t=0
    primary.state.behaviour = "ok";
    await clock.tickAsync(100); // the probe recovers at t=100
    expect(store.usingFallback).to.equal(false);
    await clock.tickAsync(151); // the stale call times out at t=251
    expect(await stale).to.equal(2);
    expect(store.usingFallback).to.equal(false);
    expect(fallbacks).to.have.length(1);
    expect(await store.readRate("z")).to.equal(1);
  });

  it("keeps working when a listener throws", async () => {
    const store = build({
      onFallback: () => {
        throw new Error("listener bug");
      },
    });
    primary.state.behaviour = "fail";
    expect(await store.cooldownRemaining("x")).to.equal(222);
    await store.close();
  });

  it("stops probing on close()", async () => {
    const store = build();
    primary.state.behaviour = "fail";
    await store.readRate("x");
    expect(clock.countTimers()).to.equal(1);
    await store.close();
    expect(clock.countTimers()).to.equal(0);
    await clock.tickAsync(5000);
    expect(primary.state.calls).to.deep.equal(["readRate x"]);
  });

  it("keeps throttling on the in-memory fallback: a budget used up there stays used up", async () => {
    const guarded = build({ fallback: new MemoryThrottleStore() });
    primary.state.behaviour = "fail";
    const request = { windows: [{ key: "w", limit: 1, windowMs: 60_000 }], cooldownKey: "c" };
    expect((await guarded.reserve(request)).granted).to.equal(true);
    expect((await guarded.reserve(request)).granted).to.equal(false);
    await guarded.close();
  });
});
