import type { Context } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import sinon from "sinon";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";
import { publishWaitLimit } from "../../lib/chain/waitLimit.js";
import { DeadlineExceededError } from "../../lib/errors/DeadlineExceededError.js";
import { RetryAfterTooLongError } from "../../lib/errors/RetryAfterTooLongError.js";
import { MemoryThrottleStore } from "../../lib/throttle/MemoryThrottleStore.js";
import { MAX_COOLDOWN_HOLD_MS, ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import type { ThrottleEvent } from "../../lib/throttle/ThrottleEvents.js";
import type { ThrottleHandlerOptions } from "../../lib/throttle/ThrottleHandlerOptions.js";
import type { ReserveResult, ThrottleStore } from "../../lib/throttle/ThrottleStore.js";
import { makeContext, scriptedNext, throttled, type ScriptedNext } from "./support/fakeChain.js";

describe("ThrottleHandler: one notion of how long to wait (scripted next, fake timers)", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => clock.restore());

  const ok = (): Response => new Response(null, { status: 204 });

  function handlerWith(options: ThrottleHandlerOptions, next: ScriptedNext): ThrottleHandler {
    const handler = new ThrottleHandler({ adaptive: false, ...options });
    handler.setNext(next);
    return handler;
  }

  /** Starts a request; its promise settles to the error (or undefined) so nothing is left unhandled. */
  function run(handler: ThrottleHandler, context: Context): Promise<unknown> {
    return handler.execute(context).then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  /** A context whose signal carries a retry handler's wait limit, as `executeWithRetry` publishes it. */
  function retried(maxRetryAfterMs: number, deadlineMs = Number.POSITIVE_INFINITY): Context {
    const signal = new AbortController().signal;
    publishWaitLimit(signal, { maxRetryAfterMs, deadlineMs, startedAt: performance.now() });
    return makeContext({ signal });
  }

  it("without a retry handler, fails a request facing a cooldown longer than maxCooldownMs at once, sending nothing", async () => {
    const next = scriptedNext((r) => (r.index === 0 ? throttled("3600") : ok()));
    const handler = handlerWith({}, next);
    expect(await run(handler, makeContext())).to.equal(undefined); // the 429 itself goes back to the caller
    const trace = new RequestTrace();
    const error = await run(handler, makeContext({ trace }));
    expect(error).to.be.instanceOf(RetryAfterTooLongError);
    expect(error).to.deep.include({ statusCode: 429, maxRetryAfterMs: 120_000, retryAfterMs: 3_600_000 });
    expect(trace.error).to.equal(error);
    expect(next.sent).to.have.length(1);
    expect(handler.stats()[0]).to.deep.include({ rejected: 1, cooldownUntil: Date.now() + 3_600_000 });
    expect(clock.countTimers()).to.equal(2); // only the sweepers: nobody waits
  });

  it("waits out a cooldown within maxCooldownMs", async () => {
    const next = scriptedNext((r) => (r.index === 0 ? throttled("20") : ok()));
    const handler = handlerWith({ maxCooldownMs: 30_000 }, next);
    await run(handler, makeContext());
    const start = Date.now();
    const second = run(handler, makeContext());
    await clock.tickAsync(20_000);
    expect(await second).to.equal(undefined);
    expect(next.sent[1]?.at).to.equal(start + 20_000);
  });

  it("fails queued requests the moment a cooldown they will not wait out starts", async () => {
    let answer: ((response: Response) => void) | undefined;
    const next = scriptedNext((r) => (r.index === 0 ? new Promise<Response>((resolve) => (answer = resolve)) : ok()));
    const handler = handlerWith({ maxConcurrency: 1 }, next);
    const first = run(handler, makeContext());
    const queued = [run(handler, makeContext()), run(handler, makeContext()), run(handler, retried(7_200_000))];
    await clock.tickAsync(10);
    expect(handler.stats()[0]).to.deep.include({ inFlight: 1, queued: 3 });
    answer?.(throttled("3600"));
    await clock.tickAsync(0);
    await first;
    // Two cannot wait an hour (maxCooldownMs 120 s); the third's retry handler accepts two hours.
    const outcomes = await Promise.race([Promise.all(queued.slice(0, 2)), clock.tickAsync(1).then(() => "still waiting")]);
    expect(outcomes).to.have.length(2);
    for (const outcome of outcomes as unknown[]) expect(outcome).to.be.instanceOf(RetryAfterTooLongError);
    expect(next.sent).to.have.length(1);
    expect(handler.stats()[0]).to.deep.include({ queued: 1, rejected: 2 });
    await clock.tickAsync(3_600_000);
    expect(await queued[2]).to.equal(undefined);
    expect(next.sent).to.have.length(2);
  });

  it("judges a cooldown by the retry handler's published limit when there is one: maxRetryAfterMs, then the deadline", async () => {
    const next = scriptedNext((r) => (r.index === 0 ? throttled("10") : ok()));
    const handler = handlerWith({}, next);
    await run(handler, makeContext());
    const tooLong = await run(handler, retried(5_000));
    expect(tooLong).to.be.instanceOf(RetryAfterTooLongError);
    expect(tooLong).to.deep.include({ maxRetryAfterMs: 5_000 });
    const pastDeadline = await run(handler, retried(120_000, 8_000));
    expect(pastDeadline).to.be.instanceOf(DeadlineExceededError);
    expect(pastDeadline).to.deep.include({ deadlineMs: 8_000 });
    expect(next.sent).to.have.length(1);
    // maxCooldownMs (120 s) applies to the request without a retry handler: it waits.
    const waits = run(handler, makeContext());
    await clock.tickAsync(10_000);
    expect(await waits).to.equal(undefined);
    expect(next.sent).to.have.length(2);
  });

  it("fails at once in another process that shares the store, where the cooldown is only in the store", async () => {
    const store = new MemoryThrottleStore();
    const nextA = scriptedNext(() => throttled("3600"));
    const nextB = scriptedNext(ok);
    const a = handlerWith({ store }, nextA);
    const b = handlerWith({ store }, nextB);
    await run(a, makeContext());
    const error = await Promise.race([run(b, makeContext()), clock.tickAsync(1).then(() => "still waiting")]);
    expect(error).to.be.instanceOf(RetryAfterTooLongError);
    expect(error).to.deep.include({ statusCode: 429, retryAfterMs: 3_600_000 });
    expect(nextB.sent).to.have.length(0);
  });

  it("reads an HTTP-date Retry-After against the response's Date header, as the retry handler does (server clock 1 h ahead)", async () => {
    const serverNow = Date.now() + 3_600_000;
    const skewed = new Response(null, {
      status: 429,
      headers: { Date: new Date(serverNow).toUTCString(), "Retry-After": new Date(serverNow + 10_000).toUTCString() },
    });
    const next = scriptedNext((r) => (r.index === 0 ? skewed : ok()));
    const events: ThrottleEvent[] = [];
    const handler = handlerWith({ onThrottle: (e) => events.push(e) }, next);
    const start = Date.now();
    await run(handler, makeContext());
    expect(events.find((e) => e.reason === "cooldown")?.waitMs).to.equal(10_000);
    const second = run(handler, makeContext());
    await clock.tickAsync(10_000);
    expect(await second).to.equal(undefined);
    expect(next.sent[1]?.at).to.equal(start + 10_000);
  });

  it("holds at most an hour from one Retry-After, however long the server asks", async () => {
    const next = scriptedNext(() => throttled("99999999"));
    const handler = handlerWith({}, next);
    await run(handler, makeContext());
    expect(MAX_COOLDOWN_HOLD_MS).to.equal(3_600_000);
    expect(handler.stats()[0]?.cooldownUntil).to.equal(Date.now() + MAX_COOLDOWN_HOLD_MS);
  });

  for (const reason of ["budget", "pace"] as const) {
    it(`sleeps on a ${reason} wait of 1e12 ms from the store without a spin (store calls counted)`, async () => {
      const reserve = sinon.spy(async (): Promise<ReserveResult> => ({ granted: false, retryInMs: 1e12, reason }));
      const idle = async (): Promise<number> => 0;
      const store: ThrottleStore = { reserve, extendCooldown: idle, cooldownRemaining: idle, readRate: async () => undefined, adjustRate: idle };
      const next = scriptedNext(ok);
      const handler = handlerWith({ store }, next);
      const controller = new AbortController();
      const waiting = run(handler, makeContext({ signal: controller.signal }));
      await clock.tickAsync(3_000);
      // Overflowed into a 1 ms timer, this would be some 3,000 calls.
      expect(reserve.callCount).to.equal(1);
      await clock.tickAsync(2 ** 31 - 1);
      expect(reserve.callCount).to.equal(2); // clamped to the timer's maximum, then checked again
      controller.abort(new Error("done"));
      expect(await waiting).to.have.property("message", "done");
      expect(next.sent).to.have.length(0);
    });
  }
});
