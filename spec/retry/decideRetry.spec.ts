import { expect } from "chai";
import sinon from "sinon";
import { createListenerSet } from "../../lib/chain/listenerSet.js";
import { DeadlineExceededError } from "../../lib/errors/DeadlineExceededError.js";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { RetryAfterTooLongError } from "../../lib/errors/RetryAfterTooLongError.js";
import { decideRetry } from "../../lib/retry/decideRetry.js";
import { resolveRetryOptions } from "../../lib/retry/resolveRetryOptions.js";
import type { ResilientRetryOptions } from "../../lib/retry/ResilientRetryOptions.js";
import type { Failure, RetryCall } from "../../lib/retry/retryCall.js";
import type { GiveUpEvent, RetryEvent } from "../../lib/retry/retryEvents.js";

/** A call after `attempt` attempts, with the request's safety as given. */
function callWith(options: Partial<ResilientRetryOptions>, request: { idempotent?: boolean; replayable?: boolean } = {}, attempt = 1): RetryCall {
  return {
    next: { execute: async () => undefined },
    options: resolveRetryOptions(undefined, { baseDelayMs: 100, maxDelayMs: 1_000, random: () => 0.5, ...options }),
    retryListeners: createListenerSet<RetryEvent>(),
    giveUpListeners: createListenerSet<GiveUpEvent>(),
    callerSignal: undefined,
    trace: undefined,
    request: { method: "PATCH", url: "https://graph.example/x", clientRequestId: "c", replayable: request.replayable ?? true, idempotent: request.idempotent ?? true },
    startedAt: performance.now(),
    deadline: { at: performance.now() + (options.deadlineMs ?? 300_000), reason: () => "deadline" },
    waitLimit: { maxRetryAfterMs: options.maxRetryAfterMs ?? 120_000, deadlineMs: options.deadlineMs ?? 300_000, startedAt: performance.now() },
    causes: [],
    attempt,
    last: undefined,
    backoff: undefined,
  };
}

const status = (code: number, retryAfterMs?: number): Failure => ({
  reason: "status",
  error: new GraphRequestError(code, `${code}`, { retryAfterMs }),
  response: new Response(null, { status: code }),
});
const network = (): Failure => ({ reason: "network", error: new GraphRequestError(-1, "reset") });

describe("decideRetry", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date", "performance"] });
  });
  afterEach(() => clock.restore());

  it("retries after Retry-After, else after the backoff", async () => {
    expect(await decideRetry(callWith({}), status(429, 1_500))).to.deep.equal({ kind: "retry", delayMs: 1_500 });
    expect(await decideRetry(callWith({}), status(503))).to.deep.equal({ kind: "retry", delayMs: 200 });
  });

  it("refuses a repeat that is not safe, except after 429 and 503", async () => {
    const unsafe = { idempotent: false };
    expect(await decideRetry(callWith({}, unsafe), status(503))).to.include({ kind: "retry" });
    const afterReset = await decideRetry(callWith({}, unsafe), network());
    expect(afterReset).to.include({ kind: "stop" });
    const afterGateway = await decideRetry(callWith({}, unsafe), status(504));
    expect(afterGateway).to.deep.include({ kind: "stop" });
    expect(afterGateway.kind === "stop" && afterGateway.end.kind).to.equal("response");
  });

  it("stops at maxRetries, on a too long Retry-After, and when the wait would pass the deadline", async () => {
    const max = await decideRetry(callWith({ maxRetries: 1 }, {}, 2), network());
    expect(max.kind === "stop" && max.end).to.deep.include({ kind: "error" });
    const tooLong = await decideRetry(callWith({ maxRetryAfterMs: 1_000 }), status(429, 5_000));
    expect(tooLong.kind === "stop" && tooLong.end.kind === "error" && tooLong.end.error).to.be.instanceOf(RetryAfterTooLongError);
    const late = await decideRetry(callWith({ deadlineMs: 1_000 }), status(429, 1_000));
    expect(late.kind === "stop" && late.end.kind === "error" && late.end.error).to.be.instanceOf(DeadlineExceededError);
  });

  it("asks shouldRetry last, bounded by the deadline", async () => {
    const shouldRetry = sinon.spy(() => new Promise<boolean>(() => undefined));
    const decision = decideRetry(callWith({ deadlineMs: 1_000, shouldRetry }), status(503));
    await clock.tickAsync(1_000);
    const settled = await decision;
    expect(shouldRetry.calledOnce).to.equal(true);
    expect(settled.kind === "stop" && settled.end.kind === "error" && settled.end.error).to.be.instanceOf(DeadlineExceededError);
    expect(clock.countTimers()).to.equal(0);
  });
});
