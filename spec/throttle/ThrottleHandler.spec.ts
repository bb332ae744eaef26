import type { Context } from "@microsoft/microsoft-graph-client";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import { setMaxListeners } from "node:events";
import sinon from "sinon";
import { ThrottleQueueFullError } from "../../lib/errors/ThrottleQueueFullError.js";
import { bindAttemptClock } from "../../lib/chain/attemptClock.js";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import type { ThrottleHandlerOptions } from "../../lib/throttle/ThrottleHandlerOptions.js";
import type { ThrottleEvent } from "../../lib/throttle/ThrottleEvents.js";
import type { ThrottleStore } from "../../lib/throttle/ThrottleStore.js";
import { GRAPH_URL, makeContext, maxInAnyWindow, scriptedNext, throttled, tokenOf, type ScriptedNext } from "./support/fakeChain.js";

describe("ThrottleHandler (scripted next, fake timers)", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => clock.restore());

  /** The idle-key sweep timers once a key is held: the scheduler's and the memory store's. */
  const SWEEPERS = 2;

  const budget = (limit: number, windowMs: number) => ({ route: "/deviceManagement/", methods: "write" as const, scope: "tenant" as const, limit, windowMs });

  function handlerWith(options: ThrottleHandlerOptions, next: ScriptedNext = scriptedNext()): { handler: ThrottleHandler; next: ScriptedNext } {
    const handler = new ThrottleHandler({ windowMarginRatio: 0, windowMarginMs: 0, ...options });
    handler.setNext(next);
    return { handler, next };
  }

  /** Starts a request; its promise settles to the error (or undefined) so nothing is left unhandled. */
  function run(handler: ThrottleHandler, context: Context): Promise<unknown> {
    return handler.execute(context).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  it("keeps a budget as a sliding window: never more than `limit` in any window, even at boundaries", async () => {
    const { handler, next } = handlerWith({ budgets: [budget(5, 1000)], budgetBurst: Infinity });
    const done = Array.from({ length: 23 }, () => run(handler, makeContext()));
    await clock.tickAsync(5000);
    expect(await Promise.all(done)).to.deep.equal(done.map(() => undefined));
    const times = next.sent.map((r) => r.at);
    expect(maxInAnyWindow(times, 1000)).to.equal(5);
    // Five per second, each group exactly one window after the previous one.
    const start = times[0] as number;
    expect(times.map((t) => t - start)).to.deep.equal(Array.from({ length: 23 }, (_, i) => Math.floor(i / 5) * 1000));
  });

  it("smooths a budget's window over 1/budgetBurst of it", async () => {
    const { handler, next } = handlerWith({ budgets: [budget(10, 1000)] });
    const done = Array.from({ length: 10 }, () => run(handler, makeContext()));
    await clock.tickAsync(1000);
    await Promise.all(done);
    const gaps = next.sent.slice(1).map((r, i) => r.at - (next.sent[i] as { at: number }).at);
    expect(gaps).to.deep.equal(Array.from({ length: 9 }, () => 25));
  });

  it("counts a request in the window until windowMs after its answer, so a late arrival cannot overshoot", async () => {
    // The server answers after 300 ms: the next window's requests wait for answer + window.
    const next = scriptedNext(() => new Promise<Response>((resolve) => setTimeout(() => resolve(new Response(null, { status: 204 })), 300)));
    const { handler } = handlerWith({ budgets: [budget(2, 1000)], budgetBurst: Infinity }, next);
    const done = Array.from({ length: 4 }, () => run(handler, makeContext()));
    await clock.tickAsync(3000);
    await Promise.all(done);
    const start = next.sent[0]?.at as number;
    expect(next.sent.map((r) => r.at - start)).to.deep.equal([0, 0, 1300, 1300]);
  });

  it("serves each key in FIFO order", async () => {
    const { handler, next } = handlerWith({ budgets: [budget(1, 100)] });
    const contexts = Array.from({ length: 6 }, (_, i) => makeContext({ url: `${GRAPH_URL.replace("graph.microsoft.com", "127.0.0.1")}?n=${i}` }));
    const done = contexts.map((c) => run(handler, c));
    await clock.tickAsync(1000);
    await Promise.all(done);
    expect(next.sent.map((r) => new URL(r.url).searchParams.get("n"))).to.deep.equal(["0", "1", "2", "3", "4", "5"]);
  });

  it("refuses at once with ThrottleQueueFullError when the key's queue is full, and sends nothing", async () => {
    const events: ThrottleEvent[] = [];
    const { handler, next } = handlerWith({ budgets: [budget(1, 60_000)], maxQueue: 3, onThrottle: (e) => events.push(e) });
    const first = run(handler, makeContext());
    await clock.tickAsync(0);
    const waiting = Array.from({ length: 3 }, () => run(handler, makeContext()));
    const trace = new RequestTrace();
    const refused = await run(handler, makeContext({ trace }));
    expect(refused).to.be.instanceOf(ThrottleQueueFullError);
    expect(refused).to.be.instanceOf(GraphError);
    expect(refused).to.include({ key: "tenant-a/app-1/intune", maxQueue: 3, statusCode: -1 });
    expect(trace.error).to.equal(refused);
    expect(next.sent).to.have.length(1);
    expect(events.filter((e) => e.reason === "queue-full")).to.have.length(1);
    expect(handler.stats()[0]).to.include({ queued: 3, rejected: 1 });
    await clock.tickAsync(4 * 60_000);
    expect(await Promise.all([first, ...waiting])).to.deep.equal([undefined, undefined, undefined, undefined]);
  });

  it("aborts a queued request at once with the signal's reason, leaving no timer or listener", async () => {
    const { handler, next } = handlerWith({ budgets: [budget(1, 60_000)] });
    await run(handler, makeContext());
    const controllers = [new AbortController(), new AbortController()];
    const spies = controllers.map((c) => ({ add: sinon.spy(c.signal, "addEventListener"), remove: sinon.spy(c.signal, "removeEventListener") }));
    const waiting = controllers.map((c) => run(handler, makeContext({ signal: c.signal })));
    await clock.tickAsync(10);
    expect(clock.countTimers()).to.equal(SWEEPERS + 1); // one timer for the whole queue: its head's
    const reason = new Error("caller gave up");
    controllers[1]?.abort(reason);
    expect(await waiting[1]).to.equal(reason);
    expect(handler.stats()[0]?.queued).to.equal(1);
    controllers[0]?.abort();
    expect(await waiting[0]).to.be.instanceOf(DOMException);
    expect(clock.countTimers()).to.equal(SWEEPERS);
    expect(handler.stats()[0]?.queued).to.equal(0);
    expect(next.sent).to.have.length(1);
    // The listener came off with the `once` option, so no removal was needed; a granted request removes its own.
    for (const spy of spies) expect(spy.add.calledOnce).to.equal(true);
    const granted = new AbortController();
    const remove = sinon.spy(granted.signal, "removeEventListener");
    const later = run(handler, makeContext({ signal: granted.signal }));
    await clock.tickAsync(60_000);
    expect(await later).to.equal(undefined);
    expect(remove.calledWith("abort")).to.equal(true);
  });

  it("rejects a request whose signal is already aborted without queueing it", async () => {
    const { handler, next } = handlerWith({});
    const reason = new Error("already");
    expect(await run(handler, makeContext({ signal: AbortSignal.abort(reason) }))).to.equal(reason);
    expect(next.sent).to.have.length(0);
  });

  it("shares a 429's Retry-After: every request of the key waits, not only the refused one", async () => {
    const events: ThrottleEvent[] = [];
    const next = scriptedNext((r) => (r.index === 0 ? throttled("2") : new Response(null, { status: 204 })));
    const { handler } = handlerWith({ adaptive: false, onThrottle: (e) => events.push(e) }, next);
    const start = Date.now();
    await run(handler, makeContext());
    const others = Array.from({ length: 5 }, () => run(handler, makeContext()));
    await clock.tickAsync(1999);
    expect(next.sent).to.have.length(1);
    await clock.tickAsync(1);
    await Promise.all(others);
    expect(next.sent.slice(1).map((r) => r.at - start)).to.deep.equal([2000, 2000, 2000, 2000, 2000]);
    expect(events.some((e) => e.reason === "cooldown" && e.waitMs === 2000)).to.equal(true);
    expect(handler.stats()[0]).to.include({ throttled: 1 });
  });

  it("cools down briefly after a 429 whose Retry-After cannot be read (browsers), and on 503 only with Retry-After", async () => {
    const next = scriptedNext((r) =>
      r.index === 0 ? throttled() : r.index === 2 ? new Response(null, { status: 503 }) : r.index === 4 ? new Response(null, { status: 503, headers: { "Retry-After": "3" } }) : new Response(null, { status: 204 }),
    );
    const { handler } = handlerWith({ adaptive: false, defaultCooldownMs: 700 }, next);
    const start = Date.now();
    const timeline = async (): Promise<void> => {
      for (let i = 0; i < 6; i += 1) await run(handler, makeContext());
    };
    const all = timeline();
    await clock.tickAsync(5000);
    await all;
    expect(next.sent.map((r) => r.at - start)).to.deep.equal([0, 700, 700, 700, 700, 3700]);
  });

  it("never lets one tenant's cooldown delay another tenant", async () => {
    const next = scriptedNext((r) => (r.index === 0 ? throttled("30") : new Response(null, { status: 204 })));
    const { handler } = handlerWith({ adaptive: false }, next);
    await run(handler, makeContext({ tenant: "throttled-tenant" }));
    const start = Date.now();
    await run(handler, makeContext({ tenant: "other-tenant" }));
    expect(next.sent[1]?.at).to.equal(start);
    const same = run(handler, makeContext({ tenant: "throttled-tenant" }));
    await clock.tickAsync(29_999);
    expect(next.sent).to.have.length(2);
    await clock.tickAsync(1);
    await same;
    expect(next.sent).to.have.length(3);
  });

  it("limits requests in flight per key", async () => {
    const releases: Array<() => void> = [];
    const next = scriptedNext(() => new Promise<Response>((resolve) => releases.push(() => resolve(new Response(null, { status: 204 })))));
    const events: ThrottleEvent[] = [];
    const { handler } = handlerWith({ adaptive: false, maxConcurrency: 2, onThrottle: (e) => events.push(e) }, next);
    const done = Array.from({ length: 5 }, () => run(handler, makeContext()));
    const other = run(handler, makeContext({ tenant: "tenant-b" }));
    await clock.tickAsync(0);
    expect(next.sent.filter((r) => tokenOf(r.context) !== "").length).to.equal(3);
    expect(handler.stats().find((s) => s.tenant === "tenant-a")).to.include({ inFlight: 2, queued: 3 });
    expect(events.some((e) => e.reason === "concurrency")).to.equal(true);
    for (let i = 0; i < 6; i += 1) {
      releases.shift()?.();
      await clock.tickAsync(0);
    }
    releases.forEach((release) => release());
    await clock.tickAsync(0);
    releases.forEach((release) => release());
    expect(await Promise.all([...done, other])).to.deep.equal(Array.from({ length: 6 }, () => undefined));
    expect(next.sent).to.have.length(6);
  });

  it("suspends the attempt clock while queued and records the time queued in the RequestTrace", async () => {
    const { handler, next } = handlerWith({ budgets: [budget(1, 1000)] });
    await run(handler, makeContext());
    const trace = new RequestTrace();
    const context = makeContext({ trace });
    const calls: string[] = [];
    bindAttemptClock(context, { suspend: () => calls.push(`suspend@${Date.now()}`), resume: () => calls.push(`resume@${Date.now()}`) });
    const start = Date.now();
    const done = run(handler, context);
    await clock.tickAsync(1000);
    expect(await done).to.equal(undefined);
    expect(calls).to.deep.equal([`suspend@${start}`, `resume@${start + 1000}`]);
    expect(trace.queuedMs).to.equal(1000);
    expect(next.sent[1]?.at).to.equal(start + 1000);
  });

  it("applies the Intune presets on Graph hosts only by default, or always, or never", async () => {
    const sentWithin20s = async (options: ThrottleHandlerOptions, url?: string): Promise<number> => {
      const { handler, next } = handlerWith({ adaptive: false, budgetBurst: Infinity, ...options });
      const done = Array.from({ length: 101 }, () => run(handler, makeContext(url === undefined ? {} : { url })));
      await clock.tickAsync(100);
      const sent = next.sent.length;
      await clock.tickAsync(40_000);
      await Promise.all(done);
      return sent;
    };
    expect(await sentWithin20s({}, GRAPH_URL), "graph host: 100 writes per app per 20 s").to.equal(100);
    expect(await sentWithin20s({}), "custom host: no known budget").to.equal(101);
    expect(await sentWithin20s({ presets: "always" })).to.equal(100);
    expect(await sentWithin20s({ presets: false }, GRAPH_URL)).to.equal(101);
    // presetTimeScale shrinks the 20 s windows (here to 1 s).
    const { handler, next } = handlerWith({ adaptive: false, budgetBurst: Infinity, presets: "always", presetTimeScale: 0.05 });
    const done = Array.from({ length: 101 }, () => run(handler, makeContext()));
    await clock.tickAsync(1000);
    await Promise.all(done);
    expect(next.sent.length).to.equal(101);
    expect((next.sent[100]?.at as number) - (next.sent[0]?.at as number)).to.equal(1000);
  });

  it("uses a custom key function", async () => {
    const { handler } = handlerWith({ adaptive: false, key: (context) => ({ tenant: new URL(String(context.request)).searchParams.get("t") ?? "none" }) });
    await run(handler, makeContext({ url: `${GRAPH_URL}?t=custom` }));
    expect(handler.stats().map((s) => s.key)).to.deep.equal(["custom/*/intune"]);
  });

  it("never puts the token in events, stats or errors", async () => {
    const events: ThrottleEvent[] = [];
    const next = scriptedNext((r) => (r.index === 0 ? throttled("1") : new Response(null, { status: 204 })));
    const { handler } = handlerWith({ budgets: [budget(1, 1000)], maxQueue: 1, onThrottle: (e) => events.push(e) }, next);
    const context = makeContext();
    const token = tokenOf(context);
    await run(handler, context);
    const queued = run(handler, makeContext());
    const refused = await run(handler, makeContext());
    await clock.tickAsync(2000);
    await queued;
    expect(events.length).to.be.greaterThan(2);
    const text = JSON.stringify({ events, stats: handler.stats(), refused: String(refused), message: (refused as Error).message });
    expect(text).to.not.include(token);
    expect(text).to.not.include(token.split(".")[1] as string);
  });

  it("onThrottle returns a disposable", async () => {
    const { handler } = handlerWith({ budgets: [budget(1, 1000)] });
    const seen: ThrottleEvent[] = [];
    const subscription = handler.onThrottle((e) => seen.push(e));
    const a = [run(handler, makeContext()), run(handler, makeContext())];
    await clock.tickAsync(1000);
    await Promise.all(a);
    const count = seen.length;
    expect(count).to.be.greaterThan(0);
    subscription.dispose();
    const b = [run(handler, makeContext()), run(handler, makeContext())];
    await clock.tickAsync(2000);
    await Promise.all(b);
    expect(seen.length).to.equal(count);
  });

  it("passes requests through a store that fails, throttling on a local fallback, and reports it", async () => {
    const fail = (): Promise<never> => Promise.reject(new Error("store down"));
    const store: ThrottleStore = { reserve: fail, extendCooldown: fail, cooldownRemaining: fail, readRate: fail, adjustRate: fail };
    const onStoreFallback = sinon.spy();
    const { handler, next } = handlerWith({ store, budgets: [budget(2, 1000)], budgetBurst: Infinity, onStoreFallback, storeProbeIntervalMs: 60_000 });
    const done = Array.from({ length: 3 }, () => run(handler, makeContext()));
    await clock.tickAsync(1000);
    expect(await Promise.all(done)).to.deep.equal([undefined, undefined, undefined]);
    expect(next.sent.map((r) => r.at - (next.sent[0]?.at as number))).to.deep.equal([0, 0, 1000]);
    // One event per outage, not one per failed call.
    expect(onStoreFallback.callCount).to.equal(1);
    expect(onStoreFallback.firstCall.args[0]).to.deep.include({ operation: "reserve" });
    // No store-call timeout is left: the recovery probe and the sweepers (the scheduler's and the
    // fallback store's), which stop once nothing is held.
    expect(clock.countTimers()).to.equal(1 + SWEEPERS);
    await clock.tickAsync(90_000);
    expect(clock.countTimers()).to.equal(1);
  });

  it("drops the state of idle keys", async () => {
    const { handler } = handlerWith({ adaptive: false, idleKeyMs: 10_000 });
    await run(handler, makeContext({ tenant: "t1" }));
    await run(handler, makeContext({ tenant: "t2" }));
    expect(handler.stats()).to.have.length(2);
    await clock.tickAsync(10_000);
    await run(handler, makeContext({ tenant: "t3" }));
    expect(handler.stats().map((s) => s.tenant)).to.deep.equal(["t3"]);
  });

  it("reports per-key stats: budget use, rates, cooldown, 429s", async () => {
    const next = scriptedNext((r) => (r.index === 2 ? throttled("5") : new Response(null, { status: 204 })));
    const reasons: string[] = [];
    const onThrottle = (event: { readonly reason: string }): number => reasons.push(event.reason);
    const { handler } = handlerWith({ budgets: [{ name: "writes", ...budget(10, 1000) }], budgetBurst: Infinity, onThrottle }, next);
    await run(handler, makeContext());
    await run(handler, makeContext({ method: "GET" }));
    await run(handler, makeContext());
    expect(reasons).to.deep.equal(["cooldown", "budget-share"]);
    const [stats] = handler.stats();
    expect(stats).to.deep.include({ key: "tenant-a/app-1/intune", tenant: "tenant-a", app: "app-1", workload: "intune", queued: 0, inFlight: 0, sent: 3, throttled: 1, rejected: 0 });
    expect(stats?.cooldownUntil).to.equal(Date.now() + 5000);
    // The 429 the budget did not predict halved this process's share of it.
    expect(stats?.budgets).to.deep.equal([{ name: "writes", used: 2, limit: 10, share: 5, windowMs: 1000 }]);
    expect(stats?.rates.map((r) => r.requests)).to.deep.equal(["read"]);
  });

  it("queues 10,000 requests with O(1) timers, and aborts them all quickly", async () => {
    const { handler, next } = handlerWith({ budgets: [budget(1, 60_000)] });
    const controller = new AbortController();
    // One signal for all 10,000 here; Node warns past 10 listeners on one target.
    setMaxListeners(20_000, controller.signal);
    const done = Array.from({ length: 10_000 }, () => run(handler, makeContext({ signal: controller.signal })));
    await clock.tickAsync(10);
    expect(next.sent).to.have.length(1);
    done.push(run(handler, makeContext({ signal: controller.signal })));
    // 10,000 wait (the default maxQueue), behind one timer: their head's (the sweepers aside, and at
    // most one timer another spec's module-level state may have left on the fake clock).
    expect(handler.stats()[0]?.queued).to.equal(10_000);
    expect(clock.countTimers()).to.be.within(SWEEPERS + 1, SWEEPERS + 2);
    expect(await run(handler, makeContext())).to.be.instanceOf(ThrottleQueueFullError);
    const started = performance.now();
    controller.abort(new Error("shutdown"));
    const outcomes = await Promise.all(done);
    expect(performance.now() - started).to.be.below(2000);
    expect(outcomes.filter((o) => o instanceof Error && o.message === "shutdown")).to.have.length(10_000);
    expect(handler.stats()[0]?.queued).to.equal(0);
    expect(clock.countTimers()).to.equal(SWEEPERS);
  });

  it("learns a sliding-window server's limit with few 429s (adaptive, fake server)", async () => {
    const LIMIT = 20;
    const admitted: number[] = [];
    let refused = 0;
    // A server allowing 20 requests in any second, answering after 5 ms, Retry-After in whole seconds.
    const next = scriptedNext(
      () =>
        new Promise<Response>((resolve) => {
          const at = Date.now();
          const inWindow = admitted.filter((t) => t > at - 1000);
          if (inWindow.length >= LIMIT) {
            refused += 1;
            const wait = (inWindow[inWindow.length - LIMIT] as number) + 1000 - at;
            setTimeout(() => resolve(throttled(String(Math.ceil(wait / 1000)))), 5);
            return;
          }
          admitted.push(at);
          setTimeout(() => resolve(new Response(null, { status: 204 })), 5);
        }),
    );
    const { handler } = handlerWith({}, next);
    // A tiny retry loop in the test, as the retry handler would do: wait Retry-After, send again.
    const send = async (): Promise<void> => {
      for (;;) {
        const context = makeContext();
        await handler.execute(context);
        const response = context.response;
        if (response?.status !== 429) return;
        await new Promise((resolve) => setTimeout(resolve, Number(response.headers.get("retry-after")) * 1000));
      }
    };
    const start = Date.now();
    const done = Promise.all(Array.from({ length: 400 }, send));
    await clock.tickAsync(60_000);
    await done;
    const wallMs = (admitted[admitted.length - 1] as number) - start;
    const ideal = (400 / LIMIT - 1) * 1000;
    expect(refused / 400, `${refused} × 429`).to.be.at.most(0.05);
    expect(wallMs / ideal).to.be.below(1.15);
    expect(maxInAnyWindow(admitted, 1000)).to.equal(LIMIT);
    const rate = handler.stats()[0]?.rates[0];
    expect(rate?.phase).to.equal("steady");
    // At the limit, probing above it by at most a few percent.
    expect(rate?.rate).to.be.within(0.85 * LIMIT, 1.05 * LIMIT);
  });

  it("fails clearly without a next middleware", async () => {
    const error = await new ThrottleHandler().execute(makeContext()).catch((e: unknown) => e);
    expect(String(error)).to.match(/next middleware/);
  });

  it("gives a budget slot back when an attempt got a 502, 503 or 504, but not for a 200", async () => {
    const statuses = [503, 504, 502, 200];
    const { handler, next } = handlerWith(
      { budgets: [budget(2, 60_000)], budgetBurst: Infinity },
      scriptedNext(() => new Response(null, { status: statuses.shift() ?? 200 })),
    );
    // Each gateway failure is refunded, so all four go out at once in a window of two.
    await Promise.all([0, 1, 2, 3].map(() => run(handler, makeContext())));
    expect(next.sent.map((r) => r.at - (next.sent[0] as { at: number }).at)).to.deep.equal([0, 0, 0, 0]);
    // 200 counted, plus one more 200: the window is full now and the next one waits.
    await run(handler, makeContext());
    const late = run(handler, makeContext());
    await clock.tickAsync(1000);
    expect(next.sent).to.have.length(5);
    await clock.tickAsync(60_000);
    await late;
    expect(next.sent).to.have.length(6);
  });

  it("keeps the slot of failed attempts with refundFailedAttempts: false", async () => {
    const { handler, next } = handlerWith(
      { budgets: [budget(1, 60_000)], refundFailedAttempts: false },
      scriptedNext(() => new Response(null, { status: 503 })),
    );
    await run(handler, makeContext());
    const second = run(handler, makeContext());
    await clock.tickAsync(1000);
    expect(next.sent).to.have.length(1);
    await clock.tickAsync(60_000);
    await second;
    expect(next.sent).to.have.length(2);
  });
});
