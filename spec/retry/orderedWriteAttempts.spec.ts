import { expect } from "chai";
import sinon from "sinon";
import { IdempotentRequestOption } from "../../lib/chain/IdempotentRequestOption.js";
import { OrderedWriteOption } from "../../lib/chain/OrderedWriteOption.js";
import { readWaitLimit, type WaitLimit } from "../../lib/chain/waitLimit.js";
import { ResilientRetryHandler } from "../../lib/retry/ResilientRetryHandler.js";
import { hang, makeContext, respond, ScriptedNext, type Step, timersLeftAfterCleanup } from "./support/scriptedNext.js";

/** A PATCH marked idempotent (and ordered, when `order` is given) whose first attempt hangs until its signal aborts. */
function setup(order: OrderedWriteOption | undefined, signal?: AbortSignal) {
  const handler = new ResilientRetryHandler({ attemptTimeoutMs: 200, deadlineMs: 1000, backoff: "constant", baseDelayMs: 10, maxDelayMs: 10 });
  const steps: Step[] = [hang(), respond(200)];
  const next = new ScriptedNext(steps);
  handler.setNext(next);
  const middlewareOptions = [new IdempotentRequestOption(), ...(order === undefined ? [] : [order])];
  const context = makeContext({ method: "PATCH", body: "{}", middlewareOptions, ...(signal === undefined ? {} : { signal }) });
  return { handler, next, context };
}

describe("ResilientRetryHandler: attempts of an ordered write (scripted, fake timers)", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
  });
  afterEach(async () => {
    const left = await timersLeftAfterCleanup(clock);
    clock.restore();
    expect(left, "timers left behind").to.equal(0);
  });

  it("(control) aborts a timed-out attempt of an unordered write at once", async () => {
    const { handler, next, context } = setup(undefined);
    const done = handler.execute(context);
    await clock.tickAsync(200 + 10);
    await done;
    expect(next.calls).to.equal(2);
    expect(next.seen[0]?.signal?.aborted).to.equal(true);
  });

  it("detaches a timed-out attempt: the retry answers, the first request keeps running until just after the call's deadline", async () => {
    const order = new OrderedWriteOption();
    const { handler, next, context } = setup(order);
    const done = handler.execute(context);
    await clock.tickAsync(200 + 10);
    await done;
    expect(context.response?.status).to.equal(200);
    expect(next.calls).to.equal(2);
    const first = next.seen[0]?.signal;
    expect(first?.aborted).to.equal(false);
    expect(order.pending).to.equal(1);
    let settled = false;
    void order.settled().then(() => (settled = true));
    // The deadline (1000 ms) plus the 50 ms grace that lets the call's own clocks decide first.
    await clock.tickAsync(1050 - 210 - 1);
    expect([first?.aborted, settled]).to.deep.equal([false, false]);
    await clock.tickAsync(1);
    expect(first?.aborted).to.equal(true);
    expect(settled).to.equal(true);
    expect(order.pending).to.equal(0);
  });

  it("aborts a detached attempt at once when the caller aborts", async () => {
    const order = new OrderedWriteOption();
    const caller = new AbortController();
    const { handler, next, context } = setup(order, caller.signal);
    const done = handler.execute(context);
    await clock.tickAsync(200 + 10);
    await done;
    expect(order.pending).to.equal(1);
    caller.abort(new Error("shutting down"));
    await order.settled();
    expect(next.seen[0]?.signal?.aborted).to.equal(true);
  });

  it("publishes the call's wait limit under the signal it passes down, for a throttle or batch step below", async () => {
    for (const order of [new OrderedWriteOption(), undefined]) {
      const handler = new ResilientRetryHandler({ maxRetryAfterMs: 1234, deadlineMs: 5000 });
      const limits: Array<WaitLimit | undefined> = [];
      handler.setNext(
        new ScriptedNext([
          (context) => {
            limits.push(readWaitLimit(context.options?.signal));
            respond(200)(context);
          },
        ]),
      );
      const middlewareOptions = [new IdempotentRequestOption(), ...(order === undefined ? [] : [order])];
      await handler.execute(makeContext({ method: "PATCH", body: "{}", middlewareOptions }));
      expect(limits.map((limit) => [limit?.maxRetryAfterMs, limit?.deadlineMs]), order === undefined ? "unordered" : "ordered").to.deep.equal([[1234, 5000]]);
    }
  });
});
