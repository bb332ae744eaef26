import { expect } from "chai";
import sinon from "sinon";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import { MemoryThrottleStore, type MemoryThrottleStoreOptions } from "../../lib/throttle/MemoryThrottleStore.js";
import type { ReserveRequest } from "../../lib/throttle/ThrottleStore.js";

describe("MemoryThrottleStore", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => clock.restore());

  const windowRequest = (limit: number, windowMs: number, extra: Partial<ReserveRequest> = {}): ReserveRequest => ({
    windows: [{ key: "w", limit, windowMs }],
    cooldownKey: "c",
    ...extra,
  });

  it("rejects invalid and unknown options, every one in one error", () => {
    expect(() => new MemoryThrottleStore({ rateIdleMs: 0, clock: Date.now } as MemoryThrottleStoreOptions))
      .to.throw(InvalidOptionsError)
      .with.property("issues")
      .that.deep.equals([
        { path: "clock", message: "is not an option (known: now, rateIdleMs, maxKeys)" },
        { path: "rateIdleMs", message: "must be a finite number > 0, got 0" },
      ]);
    expect(() => new MemoryThrottleStore({ now: undefined, rateIdleMs: undefined })).to.not.throw();
  });

  it("has a no-argument constructor and follows the (faked) Date.now clock", async () => {
    const store = new MemoryThrottleStore();
    expect(await store.reserve(windowRequest(1, 1000))).to.deep.equal({ granted: true, ticket: String(Date.now()), used: 1, oldestAgeMs: 0 });
    expect(await store.reserve(windowRequest(1, 1000))).to.deep.equal({ granted: false, retryInMs: 1000, reason: "budget" });
    clock.tick(1000);
    expect((await store.reserve(windowRequest(1, 1000))).granted).to.equal(true);
  });

  it("keeps time on a monotonic clock: a wall-clock step either way frees no window early and holds none longer", async () => {
    const store = new MemoryThrottleStore();
    expect((await store.reserve(windowRequest(1, 1000))).granted).to.equal(true);
    await store.extendCooldown("c2", 2000);
    // NTP steps the wall clock an hour ahead: Date.now() jumps, performance.now() does not.
    clock.setSystemTime(Date.now() + 3_600_000);
    expect(await store.reserve(windowRequest(1, 1000))).to.deep.equal({ granted: false, retryInMs: 1000, reason: "budget" });
    expect(await store.cooldownRemaining("c2")).to.equal(2000);
    // ... and two hours back: the window still frees 1000 ms after its grant.
    clock.setSystemTime(Date.now() - 7_200_000);
    clock.tick(1000);
    expect((await store.reserve(windowRequest(1, 1000))).granted).to.equal(true);
    expect(await store.cooldownRemaining("c2")).to.equal(1000);
  });

  it("never grants more than the limit in any window, across a window boundary", async () => {
    const store = new MemoryThrottleStore();
    const grants: number[] = [];
    // Poll every 7 ms for 3 s: a fixed-window counter would let 2 × limit through around a boundary.
    for (let t = 0; t < 3000; t += 7) {
      if ((await store.reserve(windowRequest(10, 1000))).granted) grants.push(Date.now());
      clock.tick(7);
    }
    for (const end of grants) expect(grants.filter((g) => g > end - 1000 && g <= end).length).to.be.at.most(10);
    expect(grants.length).to.be.within(28, 31);
  });

  it("takes a slot in every window or in none", async () => {
    const store = new MemoryThrottleStore();
    const both: ReserveRequest = {
      windows: [
        { key: "small", limit: 1, windowMs: 1000 },
        { key: "large", limit: 5, windowMs: 1000 },
      ],
      cooldownKey: "c",
    };
    expect((await store.reserve(both)).granted).to.equal(true);
    const refused = await store.reserve(both);
    expect(refused).to.deep.equal({ granted: false, retryInMs: 1000, reason: "budget" });
    expect(store.windowCount("large")).to.equal(1);
  });

  it("spaces paced grants at least intervalMs apart", async () => {
    const store = new MemoryThrottleStore();
    const paced = windowRequest(100, 1000, { pace: { key: "p", intervalMs: 20 } });
    expect((await store.reserve(paced)).granted).to.equal(true);
    expect(await store.reserve(paced)).to.deep.equal({ granted: false, retryInMs: 20, reason: "pace" });
    clock.tick(19);
    expect(await store.reserve(paced)).to.deep.equal({ granted: false, retryInMs: 1, reason: "pace" });
    clock.tick(1);
    expect((await store.reserve(paced)).granted).to.equal(true);
  });

  it("reports the longest of the refusals so that a retry after it can succeed", async () => {
    const store = new MemoryThrottleStore();
    const request = windowRequest(1, 1000, { pace: { key: "p", intervalMs: 50 } });
    await store.reserve(request);
    expect(await store.reserve(request)).to.deep.equal({ granted: false, retryInMs: 1000, reason: "budget" });
  });

  it("extends a cooldown but never shortens it, and refuses while it lasts", async () => {
    const store = new MemoryThrottleStore();
    expect(await store.extendCooldown("c", 1000)).to.equal(1000);
    expect(await store.extendCooldown("c", 200)).to.equal(1000);
    clock.tick(300);
    expect(await store.cooldownRemaining("c")).to.equal(700);
    expect(await store.extendCooldown("c", 2000.2)).to.equal(2001);
    expect(await store.reserve(windowRequest(5, 1000))).to.deep.equal({ granted: false, retryInMs: 2001, reason: "cooldown" });
    clock.tick(2001);
    expect(await store.cooldownRemaining("c")).to.equal(0);
    expect((await store.reserve(windowRequest(5, 1000))).granted).to.equal(true);
  });

  it("answers each grant with the first window's use, this grant included, and the age of its oldest grant", async () => {
    const store = new MemoryThrottleStore();
    const uses: (number | undefined)[] = [];
    const ages: (number | undefined)[] = [];
    for (let i = 0; i < 3; i++) {
      const result = await store.reserve(windowRequest(5, 1000));
      uses.push(result.granted ? result.used : undefined);
      ages.push(result.granted ? result.oldestAgeMs : undefined);
      clock.tick(400);
    }
    expect(uses).to.deep.equal([1, 2, 3]);
    expect(ages).to.deep.equal([0, 400, 800]);
    // At 1200 the first grant (at 0) has left the window; the oldest left is the one at 400.
    const later = await store.reserve(windowRequest(5, 1000));
    expect(later.granted && later.used).to.equal(3);
    expect(later.granted && later.oldestAgeMs).to.equal(800);
  });

  it("applies a rate change with onlyIf only while the rate is that value, else answers the rate as it is", async () => {
    const store = new MemoryThrottleStore();
    // Nothing stored: `initial` is the rate it is compared with.
    expect(await store.adjustRate("r", { initial: 20, onlyIf: 20, multiply: 2, min: 1, max: 1000 })).to.equal(40);
    // Two processes that both saw 40 double it once, not twice.
    const [a, b] = await Promise.all([
      store.adjustRate("r", { initial: 40, onlyIf: 40, multiply: 2, min: 1, max: 1000 }),
      store.adjustRate("r", { initial: 40, onlyIf: 40, multiply: 2, min: 1, max: 1000 }),
    ]);
    expect([a, b]).to.deep.equal([80, 80]);
    expect(await store.readRate("r")).to.equal(80);
    // A decrease meanwhile wins over an increase sent against the old rate.
    await store.adjustRate("r", { initial: 80, set: 30, min: 1, max: 1000 });
    expect(await store.adjustRate("r", { initial: 80, onlyIf: 80, add: 10, min: 1, max: 1000 })).to.equal(30);
    expect(await store.adjustRate("r", { initial: 30, onlyIf: 30.000000000001, add: 10, min: 1, max: 1000 })).to.equal(40);
  });

  it("adjusts rates atomically with clamping", async () => {
    const store = new MemoryThrottleStore();
    expect(await store.readRate("r")).to.equal(undefined);
    expect(await store.adjustRate("r", { initial: 10, multiply: 2, min: 1, max: 100 })).to.equal(20);
    expect(await store.adjustRate("r", { initial: 10, add: 5, min: 1, max: 100 })).to.equal(25);
    expect(await store.adjustRate("r", { initial: 10, multiply: 10, min: 1, max: 100 })).to.equal(100);
    expect(await store.adjustRate("r", { initial: 10, set: 0.1, min: 1, max: 100 })).to.equal(1);
    expect(await store.readRate("r")).to.equal(1);
  });

  it("sweeps idle keys without traffic, on one timer that stops when nothing is held", async () => {
    const store = new MemoryThrottleStore({ rateIdleMs: 60_000 });
    expect(clock.countTimers()).to.equal(0);
    await store.reserve(windowRequest(5, 1000, { pace: { key: "p", intervalMs: 10 } }));
    await store.extendCooldown("c2", 500);
    await store.adjustRate("r", { initial: 10, min: 1, max: 100 });
    expect(store.size).to.equal(4);
    expect(clock.countTimers()).to.equal(1);
    await clock.tickAsync(5_000);
    expect(store.size).to.equal(1); // the window, pacer and cooldown are gone; the rate stays
    expect(clock.countTimers()).to.equal(1);
    await clock.tickAsync(60_000);
    expect(store.size).to.equal(0);
    expect(clock.countTimers()).to.equal(0);
    // A read adds nothing, so it starts no timer.
    await store.cooldownRemaining("other");
    expect(clock.countTimers()).to.equal(0);
  });

  it("does not keep a process alive with its sweep timer", async () => {
    clock.restore();
    const unref = sinon.spy();
    const stub = sinon.stub(globalThis, "setTimeout").returns({ unref } as unknown as ReturnType<typeof setTimeout>);
    try {
      await new MemoryThrottleStore().extendCooldown("c", 500);
      expect(stub.calledOnce).to.equal(true);
      expect(unref.calledOnce).to.equal(true);
    } finally {
      stub.restore();
      clock = sinon.useFakeTimers();
    }
  });

  it("holds at most maxKeys: idle keys are swept and the least recently used rates dropped, live windows and cooldowns never", async () => {
    const store = new MemoryThrottleStore({ maxKeys: 3 });
    const rate = { initial: 10, min: 1, max: 100 };
    await store.adjustRate("r1", rate);
    await store.adjustRate("r2", rate);
    await store.readRate("r1"); // r1 is now more recent than r2
    await store.extendCooldown("c", 10_000);
    await store.adjustRate("r3", rate);
    expect(store.size).to.equal(3);
    expect(await store.readRate("r2")).to.equal(undefined);
    expect(await store.readRate("r1")).to.equal(10);
    await store.reserve({ windows: [{ key: "w1", limit: 1, windowMs: 60_000 }], cooldownKey: "none" });
    await store.reserve({ windows: [{ key: "w2", limit: 1, windowMs: 60_000 }], cooldownKey: "none" });
    await store.reserve({ windows: [{ key: "w3", limit: 1, windowMs: 60_000 }], cooldownKey: "none" });
    // Rates went first; the cooldown and the windows still hold requests back, so they stay beyond the bound.
    expect(store.size).to.equal(4);
    expect(await store.cooldownRemaining("c")).to.equal(10_000);
    expect(store.windowCount("w1")).to.equal(1);
    expect(store.windowCount("w2")).to.equal(1);
    expect((await store.reserve({ windows: [{ key: "w1", limit: 1, windowMs: 60_000 }], cooldownKey: "none" })).granted).to.equal(false);
  });

  it("accepts an injected clock", async () => {
    let now = 0;
    const store = new MemoryThrottleStore({ now: () => now });
    await store.reserve(windowRequest(1, 100));
    expect((await store.reserve(windowRequest(1, 100))).granted).to.equal(false);
    now = 100;
    expect((await store.reserve(windowRequest(1, 100))).granted).to.equal(true);
  });

  it("keeps recent grants when a window's limit changes", async () => {
    const store = new MemoryThrottleStore();
    await store.reserve(windowRequest(2, 1000));
    await store.reserve(windowRequest(2, 1000));
    expect((await store.reserve(windowRequest(3, 1000))).granted).to.equal(true);
    expect((await store.reserve(windowRequest(3, 1000))).granted).to.equal(false);
  });

  it("refund gives one grant back in each window, so the next request needs no wait", async () => {
    const store = new MemoryThrottleStore();
    const request: ReserveRequest = { windows: [{ key: "a", limit: 2, windowMs: 1000 }, { key: "b", limit: 5, windowMs: 1000 }], cooldownKey: "c" };
    await store.reserve(request);
    await store.reserve(request);
    expect((await store.reserve(request)).granted).to.equal(false);
    await store.refund({ windowKeys: ["a", "b"] });
    expect(store.windowCount("a")).to.equal(1);
    expect(store.windowCount("b")).to.equal(1);
    expect((await store.reserve(request)).granted).to.equal(true);
    await store.refund({ windowKeys: ["unknown"] }); // no window, nothing to do
  });

  it("settle holds a grant's slot until one window after its response, not after its grant", async () => {
    const store = new MemoryThrottleStore();
    const request = windowRequest(1, 1000);
    const first = await store.reserve(request);
    expect(first.granted).to.equal(true);
    clock.tick(300); // the response comes 300 ms after the grant
    await store.settle({ ticket: (first as { ticket: string }).ticket, windows: request.windows });
    clock.tick(700); // one window after the grant: the server may still count the first request
    expect(await store.reserve(request)).to.deep.equal({ granted: false, retryInMs: 300, reason: "budget" });
    clock.tick(300);
    expect((await store.reserve(request)).granted).to.equal(true);
  });

  it("settle takes off a window's margin: the slot frees one nominal window after the response", async () => {
    const store = new MemoryThrottleStore();
    const window = { key: "w:margin", limit: 1, windowMs: 1100, marginMs: 100 };
    const first = (await store.reserve({ windows: [window], cooldownKey: "c" })) as { ticket: string };
    clock.tick(300);
    await store.settle({ ticket: first.ticket, windows: [window] });
    clock.tick(999);
    expect(await store.reserve({ windows: [window], cooldownKey: "c" })).to.deep.equal({ granted: false, retryInMs: 1, reason: "budget" });
    clock.tick(1);
    expect((await store.reserve({ windows: [window], cooldownKey: "c" })).granted).to.equal(true);
  });

  it("refund with a ticket gives back that grant, even when a later one was settled", async () => {
    const store = new MemoryThrottleStore();
    const request = windowRequest(2, 1000);
    const first = (await store.reserve(request)) as { ticket: string };
    clock.tick(100);
    const second = (await store.reserve(request)) as { ticket: string };
    clock.tick(100);
    await store.settle({ ticket: first.ticket, windows: request.windows }); // first now counts from t=200
    await store.refund({ windowKeys: request.windows.map((w) => w.key), ticket: second.ticket });
    expect(store.windowCount(request.windows[0]?.key ?? "")).to.equal(1);
    expect((await store.reserve(request)).granted).to.equal(true);
    // The one left is the settled first grant: the window is full until 200 + 1000.
    expect(await store.reserve(request)).to.deep.equal({ granted: false, retryInMs: 1000, reason: "budget" });
  });

  it("counts a window's grants within a span only while the cooldown holds, refunds left out", async () => {
    const store = new MemoryThrottleStore();
    const request = windowRequest(10, 1000, { cooldownKey: "burst" });
    const tickets: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      tickets.push((await store.reserve(request)).granted ? String(Date.now()) : "");
      clock.tick(100);
    }
    const count = { windowKey: request.windows[0]!.key, spanMs: 1000, cooldownKey: "burst" };
    expect(await store.countGrants(count), "no cooldown: grants may be mixing in").to.equal(undefined);
    await store.extendCooldown("burst", 2000);
    expect(await store.countGrants(count)).to.equal(5);
    await store.refund({ windowKeys: [count.windowKey], ticket: tickets[4] });
    expect(await store.countGrants(count), "a refused grant given back").to.equal(4);
    // Granted at 0, 100, 200, 300 ms; now is 500 ms: a 250 ms span holds the one at 300.
    expect(await store.countGrants({ ...count, spanMs: 250 })).to.equal(1);
    expect(await store.countGrants({ ...count, windowKey: "unknown" })).to.equal(0);
    clock.tick(2000);
    expect(await store.countGrants(count), "the cooldown ended").to.equal(undefined);
  });
});
