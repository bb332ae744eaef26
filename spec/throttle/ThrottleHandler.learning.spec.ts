import type { Context } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import sinon from "sinon";
import { SLOW_START_KEEP_MS } from "../../lib/throttle/AdaptiveRate.js";
import { MemoryThrottleStore } from "../../lib/throttle/MemoryThrottleStore.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import type { ThrottleHandlerOptions } from "../../lib/throttle/ThrottleHandlerOptions.js";
import type { ThrottleEvent } from "../../lib/throttle/ThrottleEvents.js";
import { makeContext, scriptedNext, throttled, type ScriptedNext, type SentRequest } from "./support/fakeChain.js";
import { scriptedWindowServer } from "./support/scriptedWindowServer.js";

/** What the handler learns from responses: slots held until a window after the answer, refunds checked, proactive headers. */
describe("ThrottleHandler learning (scripted next, fake timers)", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => clock.restore());

  const budget = (limit: number, windowMs: number) => ({ route: "/deviceManagement/", methods: "write" as const, scope: "tenant" as const, limit, windowMs });

  function handlerWith(options: ThrottleHandlerOptions, next: ScriptedNext = scriptedNext()): { handler: ThrottleHandler; next: ScriptedNext; events: ThrottleEvent[] } {
    const events: ThrottleEvent[] = [];
    const handler = new ThrottleHandler({ windowMarginRatio: 0, windowMarginMs: 0, onThrottle: (e) => events.push(e), ...options });
    handler.setNext(next);
    return { handler, next, events };
  }

  function run(handler: ThrottleHandler, context: Context = makeContext()): Promise<unknown> {
    return handler.execute(context).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  const after = (ms: number, response: () => Response) => () => new Promise<Response>((resolve) => setTimeout(() => resolve(response()), ms));
  const ok = () => new Response(null, { status: 204 });

  describe("slots are held until one window after the response", () => {
    it("in a store shared by two processes: a late answer keeps the slot busy for the other process", async () => {
      const store = new MemoryThrottleStore();
      // Process A's request takes 300 ms to answer: the server may have counted it as late as that.
      const a = handlerWith({ store, budgets: [budget(1, 1000)] }, scriptedNext(after(300, ok)));
      const b = handlerWith({ store, budgets: [budget(1, 1000)] });
      const first = run(a.handler);
      await clock.tickAsync(300);
      await first;
      await clock.tickAsync(700); // one window after the grant, 700 ms after the response
      const second = run(b.handler);
      await clock.tickAsync(299);
      expect(b.next.sent, "no slot one window after the grant").to.have.length(0);
      await clock.tickAsync(1);
      await second;
      expect(b.next.sent).to.have.length(1);
      expect((b.next.sent[0] as SentRequest).at - (a.next.sent[0] as SentRequest).at).to.equal(1300);
    });

    it("in adaptive mode too (the learned window's store entries move to the answer)", async () => {
      const store = new MemoryThrottleStore();
      const settle = sinon.spy(store, "settle");
      const { handler } = handlerWith({ store }, scriptedNext(after(40, ok)));
      const done = [0, 1, 2].map(() => run(handler));
      await clock.tickAsync(100);
      await Promise.all(done);
      expect(settle.callCount).to.equal(3);
      expect(settle.firstCall.args[0].windows[0]?.key).to.match(/^a:/);
    });
  });

  it("asks the store to keep slow start's grants for SLOW_START_KEEP_MS, and a learned limit's for its window", async () => {
    const store = new MemoryThrottleStore();
    const reserve = sinon.spy(store, "reserve");
    // Two answers, then a 429: slow start is over.
    const answers = [ok, ok, () => throttled("3")];
    const { handler } = handlerWith({ store }, scriptedNext(() => (answers.shift() ?? ok)()));
    const settle = async (): Promise<void> => {
      const done = run(handler);
      await clock.tickAsync(10_000);
      await done;
    };
    await settle();
    await settle();
    const slowStart = reserve.lastCall.args[0].windows[0];
    expect(slowStart?.windowMs, "slow start counts in a second").to.equal(1000);
    // A store that prunes by time (Redis) would drop a burst that lasted over a second before the window it teaches is known.
    expect(slowStart?.keepMs).to.equal(SLOW_START_KEEP_MS);
    await settle();
    await settle();
    // The 429 ended slow start: what the store keeps is the learned limit's window.
    expect(handler.stats()[0]?.rates[0]?.phase).to.equal("steady");
    expect(reserve.lastCall.args[0].windows[0]?.keepMs).to.equal(undefined);
  });

  describe("refunds are checked against what the server does next", () => {
    it("stops refunding faulted attempts of a key once a 429 follows a refund, and says so once", async () => {
      const statuses = [503, 429, 503, 503];
      const { handler, next, events } = handlerWith(
        { budgets: [budget(4, 60_000)], budgetBurst: Infinity, cooldownStatuses: [429] },
        scriptedNext(() => {
          const status = statuses.shift() ?? 204;
          return status === 429 ? throttled("0.05") : new Response(null, { status });
        }),
      );
      expect(handler.stats()).to.deep.equal([]);
      await run(handler); // 503: refunded
      await run(handler); // 429 while the refund lies in the window: the server counted it
      expect(events.filter((e) => e.reason === "refunds-off")).to.have.length(1);
      expect(handler.stats()[0]?.refunding).to.equal(false);
      await clock.tickAsync(100);
      // The 429, which the budget did not predict, cut this process's share of it to two (see
      // BudgetShare). That window holds the 429'd attempt; the next faulted attempt keeps its slot.
      await run(handler); // 503, not given back
      const fourth = run(handler);
      await clock.tickAsync(1000);
      expect(next.sent).to.have.length(3);
      await clock.tickAsync(60_000);
      await fourth;
      expect(next.sent).to.have.length(4);
      expect(events.filter((e) => e.reason === "refunds-off")).to.have.length(1);
    });

    it("in adaptive mode, takes no slow-start overshoot for a sign that refunds were counted, and still checks later 429s", async () => {
      const statuses = [503, 204, 429, 503, 429];
      const { handler, events } = handlerWith(
        {},
        scriptedNext(() => {
          const status = statuses.shift() ?? 204;
          return status === 429 ? throttled("0.05") : new Response(null, { status });
        }),
      );
      const send = async (): Promise<void> => {
        let settled = false;
        const done = run(handler).then(() => (settled = true));
        for (let waited = 0; !settled && waited < 10_000; waited += 100) await clock.tickAsync(100);
        expect(settled, "answered within 10 s").to.equal(true);
        await done;
      };
      await send(); // 503: refunded
      await send();
      await send(); // slow start's 429, with the refund in the window: learning, not a counted refund
      expect(events.filter((e) => e.reason === "refunds-off"), "slow start's overshoot").to.deep.equal([]);
      expect(handler.stats()[0]?.refunding).to.equal(true);
      await send(); // 503: refunded
      await send(); // a 429 at the learned limit, after a refund: the server counted it
      expect(events.filter((e) => e.reason === "refunds-off")).to.have.length(1);
      expect(handler.stats()[0]?.refunding).to.equal(false);
    });

    it("keeps refunding when the 429s come with no refund in the window", async () => {
      const statuses = [429, 503, 204];
      const { handler, events } = handlerWith(
        { budgets: [budget(5, 1000)], budgetBurst: Infinity },
        scriptedNext(() => {
          const status = statuses.shift() ?? 204;
          return status === 429 ? throttled("0.01") : new Response(null, { status });
        }),
      );
      await run(handler);
      await clock.tickAsync(50);
      await run(handler);
      await run(handler);
      expect(events.filter((e) => e.reason === "refunds-off")).to.deep.equal([]);
      expect(handler.stats()[0]?.refunding).to.equal(true);
    });
  });

  describe("proactive rate-limit headers", () => {
    it("RateLimit-Remaining: 0 with RateLimit-Reset holds the key until the reset, before any 429", async () => {
      let calls = 0;
      const { handler, next, events } = handlerWith(
        { adaptive: false },
        scriptedNext(() => {
          calls += 1;
          return new Response(null, { status: 204, headers: calls === 1 ? { "RateLimit-Remaining": "1", "RateLimit-Reset": "2" } : {} });
        }),
      );
      await run(handler);
      // One more fits before the reset; the one after that waits for it.
      const done = [run(handler), run(handler)];
      await clock.tickAsync(10);
      expect(next.sent).to.have.length(2);
      expect(events.some((e) => e.reason === "quota" && e.waitMs <= 2000 && e.waitMs > 1900)).to.equal(true);
      await clock.tickAsync(1989);
      expect(next.sent).to.have.length(2);
      await clock.tickAsync(2);
      await Promise.all(done);
      expect(next.sent).to.have.length(3);
    });

    it("counts requests still in flight against the remaining quota", async () => {
      let calls = 0;
      const { handler, next } = handlerWith(
        { adaptive: false },
        scriptedNext((request) => {
          calls += 1;
          // The first answer (after 50 ms) says 2 remain; by then two more requests are in flight.
          if (request.index === 0) return after(50, () => new Response(null, { status: 204, headers: { "RateLimit-Remaining": "2", "RateLimit-Reset": "5" } }))();
          return after(100, ok)();
        }),
      );
      const done = [run(handler), run(handler), run(handler)];
      await clock.tickAsync(60);
      const more = [run(handler), run(handler)];
      await clock.tickAsync(200);
      expect(calls).to.equal(3);
      expect(next.sent).to.have.length(3);
      await clock.tickAsync(5000);
      await Promise.all([...done, ...more]);
      expect(next.sent).to.have.length(5);
    });

    it("x-ms-throttle-limit-percentage above 1 cuts the learned rate before a 429; below 1 ends slow start", async () => {
      let share: string | undefined;
      const { handler, next } = handlerWith(
        {},
        scriptedNext(() => new Response(null, { status: 204, headers: share === undefined ? {} : { "x-ms-throttle-limit-percentage": share } })),
      );
      const burst = Array.from({ length: 40 }, () => run(handler));
      await clock.tickAsync(3000);
      await Promise.all(burst);
      expect(handler.stats()[0]?.rates[0]?.phase).to.equal("slow-start");
      share = "0.9";
      await run(handler);
      const before = handler.stats()[0]?.rates[0];
      expect(before?.phase).to.equal("steady");
      share = "1.6";
      await clock.tickAsync(10);
      await run(handler);
      const after = handler.stats()[0]?.rates[0];
      expect(after?.decreases).to.equal(1);
      expect(after?.rate).to.be.closeTo(((before?.rate ?? 0) / 1.6) * 0.95, 1e-9);
      expect(next.sent.length).to.equal(42);
    });
  });

  describe("a 429 without a readable Retry-After", () => {
    it("is reported once per handler, and still cools down and teaches the rate", async () => {
      const { handler, events } = handlerWith({ defaultCooldownMs: 500 }, scriptedNext(() => throttled()));
      await run(handler);
      await clock.tickAsync(600);
      await run(handler);
      const told = events.filter((e) => e.reason === "retry-after-unreadable");
      expect(told).to.have.length(1);
      expect(told[0]?.waitMs).to.equal(500);
      expect(events.filter((e) => e.reason === "cooldown" && e.waitMs === 500)).to.have.length(2);
      expect(handler.stats()[0]?.throttled).to.equal(2);
      expect(handler.stats()[0]?.rates[0]?.phase).to.equal("steady");
    });
  });
});

describe("ThrottleHandler learning a changing window limit (scripted sliding-window server, fake timers)", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 0 });
  });
  afterEach(() => clock.restore());

  /** 20 workers against a sliding window of 10 per second, for `ms`; the store records what is given back. */
  async function probeAgainst(next: ScriptedNext, ms: number): Promise<{ refunds: number; events: ThrottleEvent[] }> {
    let refunds = 0;
    const store = new (class extends MemoryThrottleStore {
      override async refund(request: Parameters<MemoryThrottleStore["refund"]>[0]): Promise<void> {
        refunds += 1;
        return super.refund(request);
      }
    })();
    const events: ThrottleEvent[] = [];
    const handler = new ThrottleHandler({ store, onThrottle: (event) => events.push(event) });
    handler.setNext(next);
    let stop = false;
    const worker = async (): Promise<void> => {
      while (!stop) await handler.execute(makeContext()).catch(() => undefined);
    };
    const workers = Array.from({ length: 20 }, () => worker());
    await clock.tickAsync(ms);
    stop = true;
    await clock.tickAsync(3000);
    await Promise.all(workers);
    return { refunds, events };
  }

  it("gives a failed probe step's slot back: the server refused that request, so the window keeps the limit's full count", async () => {
    // A limit that never grows: every probe step above 10 per second fails.
    const server = scriptedWindowServer(1000, () => 10);
    const { refunds, events } = await probeAgainst(server.next, 12_000);
    const probeRefusals = server.refused.filter((t) => t > 2000).length;
    expect(probeRefusals, "probe steps failed").to.be.at.least(1);
    // Without the refund, a refused step's grant held its slot for a whole window: one request of
    // the next window waited, and at the end of a run it spilled into a window of its own.
    expect(refunds, "one refund per failed step").to.equal(probeRefusals);
    expect(events.some((e) => e.reason === "refunds-off")).to.equal(false);
  });

  it("holds before the next probe step from the failed step's refusal, twice as long once the same level failed again", async () => {
    // A limit that never grows: every probe step above 10 per second fails. The window is learned
    // (1 s, exact Retry-After), so the hold is two windows, doubled when the same level fails again.
    const server = scriptedWindowServer(1000, () => 10);
    await probeAgainst(server.next, 12_000);
    const probeRefusals = server.refused.filter((t) => t > 2000);
    expect(probeRefusals.length, `probe refusals at ${probeRefusals.join(", ")}`).to.be.at.least(3);
    const gaps = probeRefusals.slice(1).map((t, i) => t - (probeRefusals[i] as number));
    // Each gap is the hold (from the refusal that ended the step before) plus the step's round
    // trips: never less than the hold, and not a window more (the hold counted from an older start).
    expect(gaps[0], `gaps ${gaps.join(", ")}`).to.be.within(2000, 2200);
    for (const gap of gaps.slice(1)) expect(gap, `gaps ${gaps.join(", ")}`).to.be.within(4000, 4200);
  });

  it("stops giving failed probe steps back on a server that counts refused requests", async () => {
    // As SharePoint does: a refused request takes a place in the window too.
    const server = scriptedWindowServer(1000, () => 10, { countRefused: true });
    const { refunds, events } = await probeAgainst(server.next, 12_000);
    // The first refund is followed by a 429 within the window: refunds end for the key, once.
    expect(refunds, "a failed step was given back").to.be.at.least(1);
    expect(events.filter((e) => e.reason === "refunds-off")).to.have.length(1);
    expect(server.refused.length / server.admitted.length, "429s per admitted request").to.be.at.most(0.05);
  });

  it("two processes sharing a store narrow a window learned from whole-second Retry-After: one probe at a time goes ahead of the store's window", async () => {
    const W = 2000;
    const LIMIT = 40;
    // Whole-second Retry-After: the window is learned up to a second long (2.0–3.0 s).
    const server = scriptedWindowServer(W, () => LIMIT, { wholeSeconds: true });
    const store = new MemoryThrottleStore();
    const handlers = [0, 1].map(() => {
      const handler = new ThrottleHandler({ store, onThrottle: () => undefined });
      handler.setNext(server.next);
      return handler;
    });
    let stop = false;
    let failed = 0;
    const worker = async (handler: ThrottleHandler): Promise<void> => {
      while (!stop) {
        const error = await handler.execute(makeContext()).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (error !== undefined) failed += 1;
      }
    };
    const workers = handlers.flatMap((handler) => Array.from({ length: 10 }, () => worker(handler)));
    await clock.tickAsync(8 * W);
    const windows = handlers.map((h) => h.stats()[0]?.rates[0]?.windowMs);
    const limits = handlers.map((h) => {
      const rate = h.stats()[0]?.rates[0];
      return rate?.windowMs === undefined ? 0 : Math.floor((rate.rate * rate.windowMs) / 1000 + 1e-9);
    });
    stop = true;
    await clock.tickAsync(5000);
    await Promise.all(workers);
    expect(failed).to.equal(0);
    // Each process holds half the window's grants: neither could probe ahead of its own window.
    // Ahead of the store's, the window comes within the search's tolerance (2%) above 2 s.
    for (const w of windows) expect(w, `windows ${windows.join(", ")}`).to.be.within(W, W + 0.02 * W + 10);
    expect(limits, "the same limit in the shorter window").to.deep.equal([LIMIT, LIMIT]);
    // The first burst's overshoot, and a refused probe or two; none while the window was narrowed.
    expect(server.refused.length, `429s at ${server.refused.join(", ")}`).to.be.at.most(8);
    // In 16 s: 308 admitted, 6 refused; with the window kept at its first 2.18 s (the code before), 300 and 12.
    expect(server.admitted.filter((t) => t < 8 * W).length).to.be.at.least(304);
  });

  it("re-infers a halved limit down at once, and finds the restored limit again by probing", async () => {
    const W = 1000;
    // 40 per second, halved to 20 from 5 s to 10 s, then 40 again.
    const server = scriptedWindowServer(W, (t) => (t >= 5000 && t < 10_000 ? 20 : 40));
    const handler = new ThrottleHandler({ onThrottle: () => undefined });
    handler.setNext(server.next);
    let stop = false;
    let failed = 0;
    const worker = async (): Promise<void> => {
      while (!stop) {
        const error = await handler.execute(makeContext()).then(
          () => undefined,
          (e: unknown) => e,
        );
        if (error !== undefined) failed += 1;
        // The retry handler above would send a 429'd request again; the throttle sees it as a new attempt.
      }
    };
    const workers = Array.from({ length: 20 }, () => worker());
    await clock.tickAsync(20_000);
    stop = true;
    await clock.tickAsync(5000);
    await Promise.all(workers);
    expect(failed).to.equal(0);
    const inSpan = (times: number[], from: number, to: number) => times.filter((t) => t >= from && t < to).length;
    const rate = handler.stats()[0]?.rates[0];
    expect(rate?.windowMs, "the window was learned").to.be.within(W, W + 50);
    // Halved: 429s come earlier than the model predicts, and the limit is re-inferred at once. The
    // climb back toward 40 tries once while the limit is still down: one failed step, of an eighth
    // of the 20 lost (at most 3 requests over).
    expect(inSpan(server.refused, 5000, 10_000), "429s while halved").to.be.at.most(3 + 3);
    for (let second = 6; second < 10; second += 1) {
      expect(inSpan(server.admitted, second * 1000, (second + 1) * 1000), `admitted in second ${second}`).to.be.at.least(10);
    }
    // The climb back toward the level before the drop tries twice while the limit is still down
    // (at 7 s and 9 s: the first failed step no longer doubles the hold), and gives the level up.
    // Restored at 10 s: the doubled hold after the second failure ends at about 13.3 s, and the
    // first step that lasts a burst is followed by the next at once, up to 40 within that second
    // (measured per second: 20, 20, 20, 30, 40, …; one probe a window, by 1, 2, 4, … requests,
    // took until second 15: 21, 23, 27, 34, 37, 39, 40). Five windows after the restore at most.
    expect(inSpan(server.admitted, 13_000, 14_000), "admitted in second 13").to.be.above(25);
    for (let second = 14; second < 20; second += 1) {
      expect(inSpan(server.admitted, second * 1000, (second + 1) * 1000), `admitted in second ${second}`).to.be.at.least(0.9 * 40);
    }
    expect(server.refused.length / server.admitted.length, "429s per admitted request").to.be.at.most(0.05);
  });
});
