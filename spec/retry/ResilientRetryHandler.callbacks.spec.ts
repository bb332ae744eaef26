import { expect } from "chai";
import sinon from "sinon";
import { DeadlineExceededError } from "../../lib/errors/DeadlineExceededError.js";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";
import { ResilientRetryHandler } from "../../lib/retry/ResilientRetryHandler.js";
import type { ResilientRetryOptions } from "../../lib/retry/ResilientRetryOptions.js";
import type { GiveUpEvent } from "../../lib/retry/retryEvents.js";
import { makeContext, respond, ScriptedNext, type Step, timersLeftAfterCleanup } from "./support/scriptedNext.js";

/** A status response, remembered so a test can see whether it was freed (its body cancelled). */
function trackedStatus(status: number, seen: Response[]): Step {
  return (context) => {
    const response = new Response(`{"error":{"code":"E${status}","message":"m"}}`, { status });
    seen.push(response);
    context.response = response;
  };
}

function setup(steps: Step[], options: Partial<ResilientRetryOptions>) {
  const handler = new ResilientRetryHandler({ baseDelayMs: 100, random: () => 0.5, ...options });
  const next = new ScriptedNext(steps);
  handler.setNext(next);
  const giveUps: GiveUpEvent[] = [];
  handler.onGiveUp((e) => giveUps.push(e));
  return { handler, next, giveUps };
}

const never = (): Promise<boolean> => new Promise<boolean>(() => undefined);

describe("ResilientRetryHandler user callbacks", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"] });
  });
  afterEach(async () => {
    const left = await timersLeftAfterCleanup(clock);
    clock.restore();
    expect(left, "timers left behind").to.equal(0);
  });

  describe("a shouldRetry that never settles", () => {
    it("cannot hold the call past deadlineMs", async () => {
      const seen: Response[] = [];
      const { handler, next, giveUps } = setup([trackedStatus(503, seen), respond(200)], { deadlineMs: 1_000, shouldRetry: never });
      const trace = new RequestTrace();
      let outcome: unknown = "pending";
      const done = handler.execute(makeContext({ middlewareOptions: [trace] })).catch((e: unknown) => (outcome = e));
      await clock.tickAsync(999);
      expect(outcome).to.equal("pending");
      await clock.tickAsync(1);
      await done;
      expect(outcome).to.be.instanceOf(DeadlineExceededError).and.include({ deadlineMs: 1_000, attempts: 1 });
      expect((outcome as DeadlineExceededError).causes).to.have.length(1);
      expect(giveUps.map((e) => [e.reason, e.status])).to.deep.equal([["deadline", 503]]);
      expect(trace.error).to.equal(outcome);
      expect(next.calls).to.equal(1);
      await clock.tickAsync(0);
      expect(seen.map((r) => r.bodyUsed)).to.deep.equal([true]);
    });

    it("cannot hold the call past an abort of the caller's signal", async () => {
      const controller = new AbortController();
      const { handler, next, giveUps } = setup([respond(503), respond(200)], { shouldRetry: never });
      const done = handler.execute(makeContext({ signal: controller.signal })).catch((e: unknown) => e);
      await clock.tickAsync(50);
      controller.abort("user cancelled");
      expect(await done).to.equal("user cancelled");
      expect(clock.now).to.equal(50);
      expect(giveUps[0]?.reason).to.equal("aborted");
      expect(next.calls).to.equal(1);
    });

    it("is ignored when it answers after the call ended", async () => {
      let answer: (retry: boolean) => void = () => undefined;
      const late = (): Promise<boolean> => new Promise<boolean>((resolve) => (answer = resolve));
      const { handler, next } = setup([respond(503), respond(200)], { deadlineMs: 500, shouldRetry: late });
      const done = handler.execute(makeContext()).catch((e: unknown) => e);
      await clock.tickAsync(500);
      expect(await done).to.be.instanceOf(DeadlineExceededError);
      answer(true);
      await clock.tickAsync(1_000);
      expect(next.calls).to.equal(1);
    });
  });

  describe("a shouldRetry that fails", () => {
    for (const [name, shouldRetry] of [
      ["throws", (): boolean => { throw new RangeError("callback bug"); }],
      ["rejects", (): Promise<boolean> => Promise.reject(new RangeError("callback bug"))],
    ] as const) {
      it(`ends the call with its error when it ${name}, reported, recorded and with the response freed`, async () => {
        const seen: Response[] = [];
        const { handler, next, giveUps } = setup([trackedStatus(503, seen), respond(200)], { shouldRetry });
        const trace = new RequestTrace();
        const error = await handler.execute(makeContext({ middlewareOptions: [trace] })).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(RangeError).and.include({ message: "callback bug" });
        expect(next.calls).to.equal(1);
        expect(giveUps.map((e) => [e.reason, e.status, e.error])).to.deep.equal([["vetoed", 503, error]]);
        expect(trace.error).to.equal(error);
        await clock.tickAsync(0);
        expect(seen.map((r) => r.bodyUsed)).to.deep.equal([true]);
      });
    }
  });

  describe("listeners", () => {
    it("cannot break the call by throwing or rejecting, and leave no unhandled rejection", async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
      process.on("unhandledRejection", onUnhandled);
      try {
        const { handler, next } = setup([respond(503), respond(503)], {
          maxRetries: 1,
          onRetry: async () => Promise.reject(new Error("async onRetry bug")),
          onGiveUp: () => {
            throw new Error("onGiveUp bug");
          },
        });
        handler.onRetry(() => {
          throw new Error("onRetry bug");
        });
        handler.onGiveUp(async () => Promise.reject(new Error("async onGiveUp bug")));
        const context = makeContext();
        const done = handler.execute(context);
        await clock.tickAsync(1_000);
        await done;
        expect(next.calls).to.equal(2);
        expect(context.response?.status).to.equal(503);
        // Unhandled rejections are reported after a macrotask.
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        expect(unhandled).to.deep.equal([]);
      } finally {
        process.off("unhandledRejection", onUnhandled);
      }
    });
  });
});
