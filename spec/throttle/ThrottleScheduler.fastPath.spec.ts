import { expect } from "chai";
import sinon from "sinon";
import { resolveBudgets, type ResolvedBudget } from "../../lib/throttle/budgetMatching.js";
import { MemoryThrottleStore } from "../../lib/throttle/MemoryThrottleStore.js";
import { resolveThrottleOptions, type ThrottleHandlerOptions } from "../../lib/throttle/ThrottleHandlerOptions.js";
import { ThrottleScheduler, type Grant, type Lane } from "../../lib/throttle/ThrottleScheduler.js";
import type { ReserveRequest, ReserveResult } from "../../lib/throttle/ThrottleStore.js";

/**
 * The scheduler's fast path: a request that nobody waits ahead of is granted at once (no promise)
 * when nothing holds it back and the store answers synchronously. Each test would fail if the
 * fast path skipped a check the queue makes, or if it were gone.
 */
describe("ThrottleScheduler fast path", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => clock.restore());

  const identity = { tenant: "tenant-a", app: "app-1" };

  function schedulerWith(options: ThrottleHandlerOptions = {}): { scheduler: ThrottleScheduler; store: MemoryThrottleStore } {
    const settings = resolveThrottleOptions({ windowMarginRatio: 0, windowMarginMs: 0, ...options });
    const store = options.store instanceof MemoryThrottleStore ? options.store : new MemoryThrottleStore();
    return { scheduler: new ThrottleScheduler({ ...settings, store }), store };
  }

  function budgetOf(limit: number, windowMs: number): ResolvedBudget[] {
    return resolveBudgets([{ route: "/", methods: "write", scope: "tenant", limit, windowMs }], 1, { ratio: 0, ms: 0 }, "budget-");
  }

  function laneOf(scheduler: ThrottleScheduler, budgets: readonly ResolvedBudget[] = []): Lane {
    return scheduler.lane(scheduler.keyState(identity), budgets, "write");
  }

  function isGrant(value: Grant | Promise<Grant>): value is Grant {
    return !(value instanceof Promise);
  }

  it("grants at once, without a promise, when nobody waits and nothing holds the request back", () => {
    const { scheduler } = schedulerWith({ adaptive: false });
    const lane = laneOf(scheduler);
    const grant = scheduler.acquire(lane, undefined);
    expect(isGrant(grant)).to.equal(true);
    expect((grant as Grant).at).to.equal(Date.now());
    expect(scheduler.stats()[0]).to.include({ inFlight: 1, queued: 0, sent: 1 });
    scheduler.release(lane, grant as Grant);
    expect(scheduler.stats()[0]).to.include({ inFlight: 0 });
  });

  it("grants an adaptive request at once once its rate is loaded, and counts it in the learned window", async () => {
    const { scheduler } = schedulerWith({});
    const lane = laneOf(scheduler);
    // The first request loads the learned rate from the store: it waits for that.
    const first = scheduler.acquire(lane, undefined);
    expect(first).to.be.instanceOf(Promise);
    scheduler.release(lane, await first);
    // The learned pacer holds the next request back for its interval, on the fast path too.
    const paced = scheduler.acquire(lane, undefined);
    expect(paced).to.be.instanceOf(Promise);
    await clock.tickAsync(100);
    scheduler.release(lane, await paced);
    // Past the pacer's interval (and within the second before the rate is read again): at once.
    await clock.tickAsync(100);
    const second = scheduler.acquire(lane, undefined);
    expect(isGrant(second)).to.equal(true);
    expect(lane.adaptive?.local.inFlight).to.equal(1);
    scheduler.release(lane, second as Grant);
  });

  it("takes the fast path only while nothing of the key is in flight, and keeps to maxConcurrency", async () => {
    const { scheduler } = schedulerWith({ adaptive: false, maxConcurrency: 2 });
    const lane = laneOf(scheduler);
    const a = scheduler.acquire(lane, undefined);
    expect(isGrant(a)).to.equal(true);
    // With a request in flight, an answer may be about to be learned: the queue's turn comes first.
    const b = scheduler.acquire(lane, undefined);
    expect(b).to.be.instanceOf(Promise);
    await clock.tickAsync(0);
    const c = scheduler.acquire(lane, undefined);
    expect(c).to.be.instanceOf(Promise);
    let got: Grant | undefined;
    void (c as Promise<Grant>).then((grant) => (got = grant));
    await clock.tickAsync(0);
    expect(got).to.equal(undefined);
    scheduler.release(lane, a as Grant);
    await clock.tickAsync(0);
    expect(got).to.not.equal(undefined);
    scheduler.release(lane, await b);
    scheduler.release(lane, got as Grant);
    expect(isGrant(scheduler.acquire(lane, undefined))).to.equal(true);
  });

  it("keeps to a budget: the request after a full window waits out the window", async () => {
    const { scheduler } = schedulerWith({ adaptive: false, budgetBurst: Infinity });
    const budgets = budgetOf(2, 1000);
    const lane = laneOf(scheduler, budgets);
    const start = Date.now();
    for (let i = 0; i < 2; i += 1) {
      const grant = scheduler.acquire(lane, undefined);
      expect(isGrant(grant)).to.equal(true);
      scheduler.release(lane, grant as Grant);
    }
    const third = scheduler.acquire(lane, undefined);
    expect(third).to.be.instanceOf(Promise);
    await clock.tickAsync(1000);
    expect((await third).at - start).to.equal(1000);
  });

  it("keeps to a budget's smoothing pacer: the next grant waits for its interval", async () => {
    const { scheduler } = schedulerWith({ adaptive: false });
    const lane = laneOf(scheduler, budgetOf(10, 1000));
    const first = scheduler.acquire(lane, undefined);
    expect(isGrant(first)).to.equal(true);
    scheduler.release(lane, first as Grant);
    const second = scheduler.acquire(lane, undefined);
    expect(second).to.be.instanceOf(Promise);
    await clock.tickAsync(25);
    expect((await second).at - (first as Grant).at).to.equal(25);
  });

  it("honours a cooldown: waits it out, or fails at once when the request will not wait that long", async () => {
    const { scheduler, store } = schedulerWith({ adaptive: false });
    const lane = laneOf(scheduler);
    // As the handler does on a 429: the shared cooldown in the store, told to the scheduler.
    scheduler.coolDown(lane.state, await store.extendCooldown(lane.state.cooldownKey, 2000), 429);
    const refused = scheduler.acquire(lane, undefined, (waitMs) => (waitMs > 1000 ? new Error(`too long: ${waitMs}`) : undefined));
    expect(refused).to.be.instanceOf(Promise);
    const error = await (refused as Promise<Grant>).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).to.contain("too long");
    const waiting = scheduler.acquire(lane, undefined, () => undefined);
    expect(waiting).to.be.instanceOf(Promise);
    await clock.tickAsync(2000);
    const grant = await waiting;
    expect(grant.at).to.equal(Date.now());
  });

  it("honours a cooldown that only the store knows (another process started it)", async () => {
    const { scheduler, store } = schedulerWith({ adaptive: false });
    const lane = laneOf(scheduler);
    await store.extendCooldown(lane.state.cooldownKey, 500);
    const start = Date.now();
    const waiting = scheduler.acquire(lane, undefined, () => undefined);
    expect(waiting).to.be.instanceOf(Promise);
    await clock.tickAsync(500);
    expect((await waiting).at - start).to.equal(500);
  });

  it("refuses an aborted request and never grants past requests already queued (FIFO)", async () => {
    const { scheduler } = schedulerWith({ adaptive: false, maxConcurrency: 1 });
    const lane = laneOf(scheduler);
    const reason = new Error("gone");
    const aborted = scheduler.acquire(lane, AbortSignal.abort(reason));
    expect(await (aborted as Promise<Grant>).catch((e: unknown) => e)).to.equal(reason);
    const first = scheduler.acquire(lane, undefined) as Grant;
    const order: string[] = [];
    const queued = (scheduler.acquire(lane, undefined) as Promise<Grant>).then((grant) => {
      order.push("queued");
      return grant;
    });
    scheduler.release(lane, first);
    // The slot is free, but a request is queued ahead: a newcomer goes behind it.
    const late = scheduler.acquire(lane, undefined);
    expect(late).to.be.instanceOf(Promise);
    const lateDone = (late as Promise<Grant>).then((grant) => {
      order.push("late");
      return grant;
    });
    await clock.tickAsync(0);
    scheduler.release(lane, await queued);
    await clock.tickAsync(0);
    scheduler.release(lane, await lateDone);
    expect(order).to.deep.equal(["queued", "late"]);
  });

  it("refuses at once with a full queue even when the fast path could grant", async () => {
    const { scheduler } = schedulerWith({ adaptive: false, maxConcurrency: 1, maxQueue: 1 });
    const lane = laneOf(scheduler);
    const first = scheduler.acquire(lane, undefined) as Grant;
    const queued = scheduler.acquire(lane, undefined);
    const full = scheduler.acquire(lane, undefined);
    expect(await (full as Promise<Grant>).catch((e: unknown) => (e as Error).name)).to.equal("ThrottleQueueFullError");
    scheduler.release(lane, first);
    await clock.tickAsync(0);
    scheduler.release(lane, await queued);
  });

  it("asks a store whose reserve is its own (a subclass or a patched instance) through that reserve", async () => {
    const asked: ReserveRequest[] = [];
    class CountingStore extends MemoryThrottleStore {
      override async reserve(request: ReserveRequest): Promise<ReserveResult> {
        asked.push(request);
        return super.reserve(request);
      }
    }
    const { scheduler } = schedulerWith({ adaptive: false, store: new CountingStore() });
    const lane = laneOf(scheduler);
    const grant = scheduler.acquire(lane, undefined);
    expect(grant).to.be.instanceOf(Promise);
    scheduler.release(lane, await grant);
    expect(asked).to.have.length(1);
  });

  it("keeps an idle lane for the next request, and still drops the key once idle for idleKeyMs", async () => {
    const { scheduler } = schedulerWith({ adaptive: false, idleKeyMs: 10_000 });
    const lane = laneOf(scheduler);
    scheduler.release(lane, scheduler.acquire(lane, undefined) as Grant);
    expect(laneOf(scheduler)).to.equal(lane);
    await clock.tickAsync(10_000);
    scheduler.sweep();
    expect(scheduler.size).to.equal(0);
  });

  it("never drops a key whose idle-looking lane still has a request in flight", async () => {
    const { scheduler } = schedulerWith({ adaptive: false, idleKeyMs: 10_000 });
    const lane = laneOf(scheduler);
    const grant = scheduler.acquire(lane, undefined) as Grant;
    await clock.tickAsync(20_000);
    scheduler.sweep();
    expect(scheduler.size).to.equal(1);
    scheduler.release(lane, grant);
  });
});
