import { expect } from "chai";
import type { BreakerPolicy } from "../../lib/throttle/BreakerStore.js";
import { MemoryThrottleStore } from "../../lib/throttle/MemoryThrottleStore.js";

describe("throttle/MemoryThrottleStore: circuit breaker", () => {
  let now = 1_000;
  const store = (): MemoryThrottleStore => new MemoryThrottleStore({ now: () => now });
  const consecutive: BreakerPolicy = { consecutiveFailures: 3, breakMs: 100 };
  beforeEach(() => {
    now = 1_000;
  });

  it("opens after the consecutive failures; a success in between resets the count; neutral outcomes count for nothing", async () => {
    const s = store();
    for (const outcome of ["failure", "failure", "success", "failure", "neutral", "failure"] as const) {
      expect(await s.recordBreaker("k", outcome, false, consecutive)).to.deep.equal({ state: "closed", changed: false });
    }
    expect(await s.recordBreaker("k", "failure", false, consecutive)).to.deep.equal({ state: "open", changed: true });
    now += 40;
    expect(await s.admitBreaker("k", consecutive)).to.deep.equal({ admitted: false, retryInMs: 60 });
    // Another key is unaffected.
    expect(await s.admitBreaker("other", consecutive)).to.deep.equal({ admitted: true, probe: false });
  });

  it("lets exactly one probe through after the break, re-leases a lost probe, and closes on its success", async () => {
    const s = store();
    for (let i = 0; i < 3; i += 1) await s.recordBreaker("k", "failure", false, consecutive);
    now += 100;
    expect(await s.admitBreaker("k", consecutive)).to.deep.equal({ admitted: true, probe: true });
    expect(await s.admitBreaker("k", consecutive)).to.deep.equal({ admitted: false, retryInMs: 100 });
    // A late failure of a request admitted before the circuit opened changes nothing.
    expect(await s.recordBreaker("k", "failure", false, consecutive)).to.deep.equal({ state: "half-open", changed: false });
    now += 100;
    expect(await s.admitBreaker("k", consecutive)).to.deep.equal({ admitted: true, probe: true });
    expect(await s.recordBreaker("k", "success", true, consecutive)).to.deep.equal({ state: "closed", changed: true });
    expect(await s.admitBreaker("k", consecutive)).to.deep.equal({ admitted: true, probe: false });
  });

  it("opens again when the probe fails", async () => {
    const s = store();
    for (let i = 0; i < 3; i += 1) await s.recordBreaker("k", "failure", false, consecutive);
    now += 100;
    await s.admitBreaker("k", consecutive);
    expect(await s.recordBreaker("k", "failure", true, consecutive)).to.deep.equal({ state: "open", changed: true });
    expect(await s.admitBreaker("k", consecutive)).to.deep.equal({ admitted: false, retryInMs: 100 });
  });

  it("opens on the failure ratio only once minimumRequests were counted in the sampling window", async () => {
    const s = store();
    const ratio: BreakerPolicy = { failureRatio: 0.5, minimumRequests: 4, samplingMs: 1_000, breakMs: 100 };
    await s.recordBreaker("k", "failure", false, ratio);
    await s.recordBreaker("k", "failure", false, ratio);
    expect((await s.recordBreaker("k", "success", false, ratio)).state).to.equal("closed");
    // A new window starts: the earlier failures no longer count.
    now += 1_000;
    await s.recordBreaker("k", "success", false, ratio);
    await s.recordBreaker("k", "success", false, ratio);
    await s.recordBreaker("k", "failure", false, ratio);
    expect((await s.recordBreaker("k", "failure", false, ratio)).state).to.equal("open");
  });

  it("forgets idle closed circuits in the sweep", async () => {
    const s = store();
    await s.recordBreaker("k", "failure", false, consecutive);
    expect(s.size).to.equal(1);
    await s.recordBreaker("k", "success", false, consecutive);
    s.sweep();
    expect(s.size).to.equal(0);
    await s.close();
  });
});
