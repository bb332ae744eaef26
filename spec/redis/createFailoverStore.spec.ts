import { expect } from "chai";
import sinon from "sinon";
import { createFailoverStore, type FailoverSettings } from "../../lib/redis/createFailoverStore.js";
import type { RedisFallbackEvent, RedisRecoverEvent } from "../../lib/redis/RedisThrottleStoreOptions.js";
import type { ThrottleStore } from "../../lib/throttle/ThrottleStore.js";

type Behaviour = "ok" | "hang" | "fail";

/** A store whose answers the test switches between working, hanging and failing. */
function scriptedStore(name: string) {
  const state = { behaviour: "ok" as Behaviour, calls: [] as string[] };
  const answer = <T>(call: string, value: T): Promise<T> => {
    state.calls.push(call);
    if (state.behaviour === "hang") return new Promise<T>(() => undefined);
    if (state.behaviour === "fail") return Promise.reject(new Error(`${name} failed: redis://user:pw@host refused`));
    return Promise.resolve(value);
  };
  const store: ThrottleStore = {
    reserve: (request) => answer(`reserve ${request.cooldownKey}`, { granted: true }),
    extendCooldown: (key, ms) => answer(`extendCooldown ${key} ${ms}`, ms),
    cooldownRemaining: (key) => answer(`cooldownRemaining ${key}`, name === "primary" ? 111 : 222),
    readRate: (key) => answer(`readRate ${key}`, name === "primary" ? 1 : 2),
    adjustRate: (key, change) => answer(`adjustRate ${key} ${change.set ?? "-"}`, name === "primary" ? 5 : 6),
  };
  return { store, state };
}

describe("redis/createFailoverStore", () => {
  let clock: sinon.SinonFakeTimers;
  let primary: ReturnType<typeof scriptedStore>;
  let fallback: ReturnType<typeof scriptedStore>;
  let probeBehaviour: Behaviour;
  let probes: number;
  let fallbacks: RedisFallbackEvent[];
  let recoveries: RedisRecoverEvent[];

  const build = (overrides: Partial<FailoverSettings> = {}) =>
    createFailoverStore({
      primary: primary.store,
      fallback: fallback.store,
      timeoutMs: 250,
      probeIntervalMs: 1000,
      probe: () => {
        probes += 1;
        return probeBehaviour === "ok" ? Promise.resolve("PONG") : probeBehaviour === "hang" ? new Promise(() => undefined) : Promise.reject(new Error("down"));
      },
      onFallback: (event) => fallbacks.push(event),
      onRecover: (event) => recoveries.push(event),
      ...overrides,
    });

  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    primary = scriptedStore("primary");
    fallback = scriptedStore("fallback");
    probeBehaviour = "ok";
    probes = 0;
    fallbacks = [];
    recoveries = [];
  });
  afterEach(() => clock.restore());

  it("answers from the primary and copies grants, cooldowns and rates into the fallback", async () => {
    const store = build();
    expect(await store.cooldownRemaining("c")).to.equal(111);
    expect(await store.reserve({ windows: [], cooldownKey: "c" })).to.deep.equal({ granted: true });
    expect(await store.extendCooldown("c", 1200)).to.equal(1200);
    expect(await store.adjustRate("r", { initial: 10, multiply: 0.5, min: 1, max: 50 })).to.equal(5);
    await clock.tickAsync(0);
    expect(fallback.state.calls).to.deep.equal(["reserve c", "extendCooldown c 1200", "adjustRate r 5"]);
    expect(store.usingFallback).to.equal(false);
    expect(clock.countTimers()).to.equal(0);
  });

  it("falls back after commandTimeoutMs when the primary hangs, and emits onFallback once per outage", async () => {
    const store = build();
    primary.state.behaviour = "hang";
    const pending = [store.cooldownRemaining("a"), store.readRate("b"), store.cooldownRemaining("c")];
    await clock.tickAsync(249);
    expect(fallbacks).to.have.length(0);
    await clock.tickAsync(1);
    expect(await Promise.all(pending)).to.deep.equal([222, 2, 222]);
    expect(store.usingFallback).to.equal(true);
    expect(fallbacks).to.have.length(1);
    expect(fallbacks[0]!.operation).to.equal("cooldownRemaining");
    expect(fallbacks[0]!.error.message).to.equal("Redis did not answer cooldownRemaining within 250 ms");
    // During the outage calls go straight to the fallback, without waiting on the primary.
    const callsBefore = primary.state.calls.length;
    expect(await store.cooldownRemaining("d")).to.equal(222);
    expect(primary.state.calls.length).to.equal(callsBefore);
  });

  it("falls back at once on an error, with secrets masked in the event", async () => {
    const store = build();
    primary.state.behaviour = "fail";
    expect(await store.reserve({ windows: [], cooldownKey: "k" })).to.deep.equal({ granted: true });
    expect(fallback.state.calls).to.deep.equal(["reserve k"]);
    expect(fallbacks).to.have.length(1);
    expect(fallbacks[0]!.error.message).to.equal("primary failed: redis://***@host refused");
    expect(fallbacks[0]!.operation).to.equal("reserve");
  });

  it("probes every probeIntervalMs with a bounded probe and recovers when it answers", async () => {
    const store = build();
    primary.state.behaviour = "fail";
    probeBehaviour = "hang";
    await store.readRate("x");
    await clock.tickAsync(999);
    expect(probes).to.equal(0);
    await clock.tickAsync(1);
    expect(probes).to.equal(1);
    // A hanging probe is abandoned after the timeout and the next one follows probeIntervalMs later.
    await clock.tickAsync(250 + 1000);
    expect(probes).to.equal(2);
    // That second probe hangs too (timeout at 2500 ms), so the third runs at 3500 ms.
    probeBehaviour = "fail";
    await clock.tickAsync(1249);
    expect(probes).to.equal(2);
    await clock.tickAsync(1);
    expect(probes).to.equal(3);
    expect(store.usingFallback).to.equal(true);
    primary.state.behaviour = "ok";
    probeBehaviour = "ok";
    await clock.tickAsync(1000);
    expect(probes).to.equal(4);
    expect(store.usingFallback).to.equal(false);
    expect(recoveries).to.have.length(1);
    expect(recoveries[0]!.outageMs).to.equal(4500);
    expect(await store.readRate("x")).to.equal(1);
    // No probing while healthy.
    await clock.tickAsync(5000);
    expect(probes).to.equal(4);
    expect(clock.countTimers()).to.equal(0);
  });

  it("starts a new outage (and event) when Redis fails again after a recovery", async () => {
    const store = build();
    primary.state.behaviour = "fail";
    await store.readRate("x");
    primary.state.behaviour = "hang";
    await clock.tickAsync(1000);
    expect(store.usingFallback).to.equal(false);
    const fresh = store.readRate("y");
    await clock.tickAsync(250);
    expect(await fresh).to.equal(2);
    expect(fallbacks.map((event) => event.operation)).to.deep.equal(["readRate", "readRate"]);
    expect(recoveries).to.have.length(1);
    expect(store.usingFallback).to.equal(true);
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
    await clock.tickAsync(150); // the stale call times out at t=250
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
  });

  it("stops probing on close()", async () => {
    const store = build();
    primary.state.behaviour = "fail";
    await store.readRate("x");
    expect(clock.countTimers()).to.equal(1);
    await store.close();
    expect(clock.countTimers()).to.equal(0);
    await clock.tickAsync(5000);
    expect(probes).to.equal(0);
  });
});
