import type { Context } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import sinon from "sinon";
import { MemoryThrottleStore } from "../../lib/throttle/MemoryThrottleStore.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import type { ThrottleEvent } from "../../lib/throttle/ThrottleEvents.js";
import { makeContext, scriptedNext, type ScriptedNext } from "./support/fakeChain.js";

/** The adaptive pacer at high rates: gaps below the clock's millisecond, on a whole-ms clock. */
describe("ThrottleHandler: sub-ms pacing (scripted next, fake timers)", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => clock.restore());

  /** At 2000/s and burst 4 the pacer's gap is 0.125 ms; the window allows 2000 in any second. */
  function fastHandler(next: ScriptedNext): { handler: ThrottleHandler; events: ThrottleEvent[] } {
    const events: ThrottleEvent[] = [];
    const handler = new ThrottleHandler({ adaptive: { initialRate: 2000, maxRate: 2000, burst: 4 }, onThrottle: (e) => events.push(e) });
    handler.setNext(next);
    return { handler, events };
  }

  /** Starts a request; resolves to whether it finished without any fake time passing. */
  async function finishesAtOnce(handler: ThrottleHandler, context: Context = makeContext()): Promise<boolean> {
    let done = false;
    const work = handler.execute(context).then(() => {
      done = true;
    });
    await clock.tickAsync(0);
    if (done) return true;
    await clock.tickAsync(10);
    await work;
    return false;
  }

  it("never sleeps a sequential caller whose requests follow each other within one clock tick", async () => {
    const next = scriptedNext();
    const { handler, events } = fastHandler(next);
    // Two requests per ms (2000/s, the rate): each follows the last answer well after the 0.125 ms
    // gap, but often within the same whole ms, where a whole-ms pacer refused it and slept 1 ms.
    for (let i = 0; i < 40; i++) {
      expect(await finishesAtOnce(handler), `request ${i} was held back`).to.equal(true);
      if (i % 2 === 1) await clock.tickAsync(1);
    }
    expect(events.filter((e) => e.reason === "pace")).to.deep.equal([]);
    expect(next.sent).to.have.length(40);
  });

  it("still keeps the pacer's rate on average: a burst goes out at most one ms ahead of its schedule", async () => {
    const store = new MemoryThrottleStore();
    // A rate learned before (steady phase: no slow-start cap on requests in flight).
    await store.adjustRate("r:tenant-a:app-1:intune:write", { initial: 2000, set: 2000, min: 1, max: 2000 });
    const next = scriptedNext(() => new Promise<Response>((resolve) => setTimeout(() => resolve(new Response(null, { status: 204 })), 100)));
    const handler = new ThrottleHandler({ store, adaptive: { initialRate: 2000, maxRate: 2000, burst: 4 }, maxConcurrency: 1000 });
    handler.setNext(next);
    const start = Date.now();
    const done = Array.from({ length: 40 }, () => handler.execute(makeContext()));
    await clock.tickAsync(200);
    await Promise.all(done);
    const offsets = next.sent.map((r) => r.at - start);
    // 8 grants per ms (gap 0.125 ms), plus one ms of credit at the start; never more.
    for (let ms = 0; ms <= 5; ms++) expect(offsets.filter((t) => t <= ms).length, `grants by ${ms} ms`).to.be.at.most(8 * (ms + 1) + 1);
    expect(offsets.filter((t) => t <= 4).length, "and no fewer: the timer's ms does not cut the rate").to.be.at.least(8 * 4);
  });
});
