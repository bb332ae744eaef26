import { expect } from "chai";
import { GraphError, type Context } from "@microsoft/microsoft-graph-client";
import sinon from "sinon";
import { AttemptTimeoutError } from "../../lib/errors/AttemptTimeoutError.js";
import { DeadlineExceededError } from "../../lib/errors/DeadlineExceededError.js";
import { GraphNetworkError } from "../../lib/errors/GraphNetworkError.js";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import { RetryAfterTooLongError } from "../../lib/errors/RetryAfterTooLongError.js";
import { ThrottleQueueFullError } from "../../lib/errors/ThrottleQueueFullError.js";
import { suspendAttemptClock } from "../../lib/chain/attemptClock.js";
import { IdempotentRequestOption } from "../../lib/chain/IdempotentRequestOption.js";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";
import { ResilientRetryHandler } from "../../lib/retry/ResilientRetryHandler.js";
import { ResilientRetryHandlerOptions } from "../../lib/retry/ResilientRetryHandlerOptions.js";
import type { ResilientRetryOptions } from "../../lib/retry/ResilientRetryOptions.js";
import { DEFAULT_RETRY_OPTIONS } from "../../lib/retry/ResilientRetryOptions.js";
import type { GiveUpEvent, RetryEvent, ShouldRetryContext } from "../../lib/retry/retryEvents.js";
import { fail, hang, hangIgnoringSignal, makeContext, resetError, respond, ScriptedNext, TOKEN, type ContextInit, type Step, timersLeftAfterCleanup } from "./support/scriptedNext.js";

/** A handler over a scripted next, with recorded events. */
function setup(steps: Step[], options: Partial<ResilientRetryOptions> = {}) {
  const handler = new ResilientRetryHandler({ baseDelayMs: 100, maxDelayMs: 5_000, random: () => 0.5, ...options });
  const next = new ScriptedNext(steps);
  handler.setNext(next);
  const retries: RetryEvent[] = [];
  const giveUps: GiveUpEvent[] = [];
  handler.onRetry((e) => retries.push(e));
  handler.onGiveUp((e) => giveUps.push(e));
  return { handler, next, retries, giveUps };
}

/** Runs a request and settles it, with `tick` driving the fake clock. */
async function run(handler: ResilientRetryHandler, context: Context, clock: sinon.SinonFakeTimers, tickMs = 60_000): Promise<unknown> {
  let outcome: unknown = "pending";
  const done = handler.execute(context).then(
    () => (outcome = "ok"),
    (error: unknown) => (outcome = error),
  );
  await clock.tickAsync(tickMs);
  await done;
  return outcome;
}

function ctx(init: ContextInit & { trace?: RequestTrace } = {}): Context {
  const middlewareOptions = [...(init.middlewareOptions ?? []), ...(init.trace ? [init.trace] : [])];
  return makeContext({ ...init, middlewareOptions });
}

describe("ResilientRetryHandler (scripted, fake timers)", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    // setImmediate stays real: undici reads response bodies with it.
    clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"] });
  });
  afterEach(async () => {
    const left = await timersLeftAfterCleanup(clock);
    clock.restore();
    expect(left, "timers left behind").to.equal(0);
  });

  describe("statuses and backoff", () => {
    it("retries 503 with decorrelated jitter, sends Retry-Attempt, and keeps one client-request-id", async () => {
      const { handler, next, retries } = setup([respond(503), respond(503), respond(200, {}, "{}")]);
      const trace = new RequestTrace();
      const context = ctx({ trace });
      const done = handler.execute(context);
      await clock.tickAsync(199); // first delay: 100 + 0.5 * (300 - 100) = 200
      expect(next.calls).to.equal(1);
      await clock.tickAsync(1);
      expect(next.calls).to.equal(2);
      await clock.tickAsync(350); // second delay: 100 + 0.5 * (600 - 100) = 350
      await done;
      expect(next.calls).to.equal(3);
      expect(context.response?.status).to.equal(200);
      expect(next.header("Retry-Attempt")).to.deep.equal([null, "1", "2"]);
      const ids = next.header("client-request-id");
      expect(ids[0]).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(new Set(ids).size).to.equal(1);
      expect(retries.map((e) => [e.attempt, e.delayMs, e.reason, e.status, e.delaySource])).to.deep.equal([
        [1, 200, "status", 503, "backoff"],
        [2, 350, "status", 503, "backoff"],
      ]);
      expect(trace.attempts).to.equal(3);
      expect(trace.waitedMs).to.equal(550);
      expect(trace.causes).to.have.length(2);
      expect(trace.causes[0]).to.be.instanceOf(GraphRequestError).and.include({ statusCode: 503, code: "E503", attempts: 1 });
      expect(trace.error).to.equal(undefined);
    });

    it("fixes the delay before onRetry, so a listener can tick the clock by it", async () => {
      const { handler, next } = setup([respond(429, { "Retry-After": "30" }), respond(200)]);
      handler.onRetry((e) => clock.tick(e.delayMs));
      const context = ctx();
      await handler.execute(context);
      expect(next.calls).to.equal(2);
      expect(clock.now).to.equal(30_000);
    });

    it("uses Retry-After verbatim with no jitter, including fractions", async () => {
      const random = sinon.spy(() => 0.5);
      const { handler, retries } = setup([respond(429, { "Retry-After": "2.128" }), respond(200)], { random });
      await run(handler, ctx(), clock);
      expect(retries[0]).to.include({ delayMs: 2128, delaySource: "retry-after", status: 429 });
      expect(random.called).to.equal(false);
    });

    it("waits 0 for a Retry-After date in the past", async () => {
      clock.setSystemTime(Date.UTC(2024, 5, 1, 12));
      const { handler, retries, next } = setup([respond(503, { "Retry-After": "Sat, 01 Jun 2024 11:59:00 GMT" }), respond(200)]);
      const done = handler.execute(ctx());
      await clock.tickAsync(0);
      await done;
      expect(next.calls).to.equal(2);
      expect(retries[0]?.delayMs).to.equal(0);
    });

    it("falls back to backoff for a garbage Retry-After", async () => {
      const { handler, retries } = setup([respond(503, { "Retry-After": "soon-ish" }), respond(200)]);
      await run(handler, ctx(), clock);
      expect(retries[0]).to.include({ delayMs: 200, delaySource: "backoff" });
    });

    it("gives up at once with RetryAfterTooLongError when the server asks for too long (no wait)", async () => {
      let response: Response | undefined;
      const { handler, next, giveUps } = setup(
        [(c) => void (c.response = response = new Response("{}", { status: 503, headers: { "Retry-After": "3600", "request-id": "rid-1" } }))],
        { maxRetryAfterMs: 120_000 },
      );
      const trace = new RequestTrace();
      const context = ctx({ trace });
      const error = await handler.execute(context).catch((e: unknown) => e);
      expect(clock.now).to.equal(0);
      expect(next.calls).to.equal(1);
      expect(error).to.be.instanceOf(RetryAfterTooLongError).and.instanceOf(GraphError);
      expect(error).to.include({ statusCode: 503, retryAfterMs: 3_600_000, maxRetryAfterMs: 120_000, requestId: "rid-1", attempts: 1 });
      expect((error as Error).message).to.contain("3600.000 s");
      expect(trace.error).to.equal(error);
      expect(giveUps[0]).to.include({ reason: "retry-after-too-long", status: 503, attempts: 1 });
      expect(response?.bodyUsed, "discarded body cancelled").to.equal(true);
    });

    it("retries 429, 502, 503 and 504 by default, but not 500 or 404", async () => {
      for (const status of [429, 502, 503, 504]) {
        const { handler, next } = setup([respond(status), respond(200)]);
        await run(handler, ctx(), clock);
        expect(next.calls, String(status)).to.equal(2);
      }
      for (const status of [500, 404, 400]) {
        const { handler, next, giveUps } = setup([respond(status), respond(200)]);
        const context = ctx();
        await run(handler, context, clock);
        expect(next.calls, String(status)).to.equal(1);
        expect(context.response?.status).to.equal(status);
        expect(giveUps).to.have.length(0);
      }
    });

    it("retries the configured statuses only", async () => {
      const { handler, next } = setup([respond(500), respond(200)], { retryStatuses: [500] });
      await run(handler, ctx(), clock);
      expect(next.calls).to.equal(2);
      const second = setup([respond(503), respond(200)], { retryStatuses: [500] });
      await run(second.handler, ctx(), clock);
      expect(second.next.calls).to.equal(1);
    });

    it("stops after maxRetries and leaves the last response, still readable, in the context", async () => {
      const { handler, next, giveUps } = setup([respond(503, {}, '{"error":{"code":"ServiceUnavailable","message":"busy"}}')], { maxRetries: 2 });
      const context = ctx();
      expect(await run(handler, context, clock)).to.equal("ok");
      expect(next.calls).to.equal(3);
      expect(context.response?.status).to.equal(503);
      expect(await context.response?.text()).to.contain("ServiceUnavailable");
      expect(giveUps).to.have.length(1);
      expect(giveUps[0]).to.include({ reason: "max-retries", attempts: 3, status: 503 });
      expect((giveUps[0]?.error as GraphRequestError).code).to.equal("ServiceUnavailable");
    });

    it("allows more retries than the stock cap of 10", async () => {
      const { handler, next } = setup([respond(503)], { maxRetries: 15, backoff: "constant", baseDelayMs: 1 });
      await run(handler, ctx(), clock);
      expect(next.calls).to.equal(16);
    });

    it("cancels the bodies of responses it discards before retrying", async () => {
      const responses: Response[] = [];
      const step: Step = (c) => {
        const response = new Response('{"error":{"code":"busy"}}', { status: 503 });
        responses.push(response);
        c.response = response;
      };
      const { handler } = setup([step, step, respond(200)]);
      await run(handler, ctx(), clock);
      expect(responses.map((r) => r.bodyUsed)).to.deep.equal([true, true]);
    });

    it("stops reading an error body that never ends at the attempt timeout, then retries", async () => {
      const hangingBody: Step = (c) => void (c.response = new Response(new ReadableStream({ start() {} }), { status: 503 }));
      const { handler, next, retries } = setup([hangingBody, respond(200)], { attemptTimeoutMs: 300 });
      const context = ctx();
      await run(handler, context, clock, 1_000);
      expect(next.calls).to.equal(2);
      expect(retries[0]).to.include({ reason: "status", status: 503 });
      expect(context.response?.status).to.equal(200);
    });
  });

  describe("limits", () => {
    it("gives up with DeadlineExceededError at once when the next wait would not fit", async () => {
      const { handler, next, giveUps } = setup([respond(503)], { deadlineMs: 1_000, backoff: "constant", baseDelayMs: 400, maxRetries: 10 });
      const trace = new RequestTrace();
      const error = await run(handler, ctx({ trace }), clock, 5_000);
      expect(error).to.be.instanceOf(DeadlineExceededError).and.include({ deadlineMs: 1_000, attempts: 3 });
      expect(next.calls).to.equal(3); // at 0, 400 and 800 ms; a wait to 1200 would overrun
      expect((error as DeadlineExceededError).causes).to.have.length(3);
      expect(trace.error).to.equal(error);
      expect(giveUps[0]?.reason).to.equal("deadline");
    });

    it("aborts an attempt in flight when the deadline passes", async () => {
      const { handler } = setup([hang()], { deadlineMs: 500, attemptTimeoutMs: 10_000 });
      let outcome: unknown;
      const done = handler.execute(ctx()).catch((e: unknown) => (outcome = e));
      await clock.tickAsync(499);
      expect(outcome).to.equal(undefined);
      await clock.tickAsync(1);
      await done;
      expect(outcome).to.be.instanceOf(DeadlineExceededError);
    });

    it("times out a hung attempt and retries it when safe (GET)", async () => {
      const { handler, next, retries } = setup([hang(), respond(200)], { attemptTimeoutMs: 200 });
      const trace = new RequestTrace();
      const context = ctx({ trace });
      const done = handler.execute(context);
      await clock.tickAsync(199);
      expect(next.calls).to.equal(1);
      await clock.tickAsync(1 + 200);
      await done;
      expect(next.calls).to.equal(2);
      expect(context.response?.status).to.equal(200);
      expect(retries[0]).to.include({ reason: "attempt-timeout", status: null });
      expect(trace.causes[0]).to.be.instanceOf(AttemptTimeoutError).and.include({ timeoutMs: 200, kind: "timeout" });
    });

    it("throws AttemptTimeoutError after the last timed-out attempt", async () => {
      const { handler, next } = setup([hang()], { attemptTimeoutMs: 200, maxRetries: 2, backoff: "constant", baseDelayMs: 10 });
      const error = await run(handler, ctx(), clock);
      expect(next.calls).to.equal(3);
      expect(error).to.be.instanceOf(AttemptTimeoutError).and.include({ attempts: 3 });
      expect((error as AttemptTimeoutError).causes).to.have.length(2);
    });

    it("times out even a middleware that ignores the signal, and frees its late response", async () => {
      let late: Context | undefined;
      let release: () => void = () => undefined;
      let cancelled = false;
      const slow: Step = (c) =>
        new Promise<void>((resolve) => {
          late = c;
          release = () => {
            c.response = new Response(new ReadableStream({ cancel: () => void (cancelled = true) }), { status: 200 });
            resolve();
          };
        });
      const { handler } = setup([slow, respond(204)], { attemptTimeoutMs: 200 });
      const context = ctx();
      await run(handler, context, clock, 1_000);
      expect(context.response?.status).to.equal(204);
      release(); // the abandoned first attempt answers late
      await clock.tickAsync(0);
      expect(late).to.not.equal(context);
      expect(context.response?.status).to.equal(204);
      expect(cancelled).to.equal(true);
    });

    it("does not count time queued by the throttle toward the attempt timeout, but does toward the deadline", async () => {
      const queued = (queueMs: number, serverMs: number): Step => async (c) => {
        const resume = suspendAttemptClock(c);
        await new Promise((r) => setTimeout(r, queueMs));
        resume();
        await new Promise((r) => setTimeout(r, serverMs));
        c.response = new Response(null, { status: 204 });
      };
      const first = setup([queued(1_000, 150)], { attemptTimeoutMs: 200 });
      const context = ctx();
      expect(await run(first.handler, context, clock, 2_000)).to.equal("ok");
      expect(first.next.calls).to.equal(1);
      expect(context.response?.status).to.equal(204);

      const tooSlow = setup([queued(1_000, 250), respond(204)], { attemptTimeoutMs: 200 });
      await run(tooSlow.handler, ctx(), clock, 3_000);
      expect(tooSlow.retries[0]?.reason).to.equal("attempt-timeout");

      const overDeadline = setup([queued(1_000, 0)], { attemptTimeoutMs: 200, deadlineMs: 900 });
      expect(await run(overDeadline.handler, ctx(), clock, 2_000)).to.be.instanceOf(DeadlineExceededError);
    });
  });

  describe("cancellation", () => {
    it("rejects with the abort reason at once when aborted during an attempt, leaving no timer", async () => {
      const controller = new AbortController();
      const reason = new Error("user cancelled");
      const { handler, giveUps } = setup([hangIgnoringSignal()]);
      const trace = new RequestTrace();
      const done = handler.execute(ctx({ signal: controller.signal, trace })).catch((e: unknown) => e);
      await clock.tickAsync(10);
      controller.abort(reason);
      expect(await done).to.equal(reason);
      expect(clock.now).to.equal(10);
      expect(clock.countTimers()).to.equal(0);
      expect(trace.error).to.equal(reason);
      expect(giveUps[0]?.reason).to.equal("aborted");
    });

    it("rejects with the abort reason at once when aborted during a wait, leaving no timer", async () => {
      const controller = new AbortController();
      const { handler, next } = setup([respond(503, { "Retry-After": "60" })]);
      const done = handler.execute(ctx({ signal: controller.signal })).catch((e: unknown) => e);
      await clock.tickAsync(1_000);
      expect(clock.countTimers()).to.be.greaterThan(0);
      controller.abort("stop waiting");
      expect(await done).to.equal("stop waiting");
      expect(clock.countTimers()).to.equal(0);
      expect(next.calls).to.equal(1);
    });

    it("passes the abort to the attempt's signal, so fetch is cancelled too", async () => {
      const controller = new AbortController();
      const { handler, next } = setup([hang()]);
      const done = handler.execute(ctx({ signal: controller.signal })).catch((e: unknown) => e);
      await clock.tickAsync(1);
      controller.abort("r");
      await done;
      expect(next.seen[0]?.signal?.aborted).to.equal(true);
      expect(next.seen[0]?.signal?.reason).to.equal("r");
    });

    it("never calls next when the signal is already aborted", async () => {
      const { handler, next } = setup([respond(200)]);
      const error = await handler.execute(ctx({ signal: AbortSignal.abort("early") })).catch((e: unknown) => e);
      expect(error).to.equal("early");
      expect(next.calls).to.equal(0);
    });

    it("gives each attempt its own signal and leaves the caller's options as they were", async () => {
      const controller = new AbortController();
      const { handler, next } = setup([respond(503), respond(200)]);
      const context = ctx({ signal: controller.signal });
      await run(handler, context, clock);
      expect(context.options?.signal).to.equal(controller.signal);
      expect(next.seen[0]?.signal).to.not.equal(controller.signal);
      expect(next.seen[0]?.signal).to.not.equal(next.seen[1]?.signal);
      const headers = context.options?.headers as Record<string, string>;
      expect(headers["Retry-Attempt"]).to.equal(undefined);
      expect(headers["client-request-id"]).to.equal(next.header("client-request-id")[0]);
    });
  });

  describe("request safety", () => {
    it("retries a GET after a connection reset and reports the network cause", async () => {
      const { handler, next, retries } = setup([fail(resetError), respond(200)]);
      const trace = new RequestTrace();
      await run(handler, ctx({ trace }), clock);
      expect(next.calls).to.equal(2);
      expect(retries[0]).to.include({ reason: "network", status: null, requestId: null });
      expect(trace.causes[0]).to.be.instanceOf(GraphNetworkError).and.include({ kind: "connection-reset" });
    });

    it("throws a GraphNetworkError, never a bare TypeError, after the last network failure", async () => {
      const { handler } = setup([fail(resetError)], { maxRetries: 1 });
      const trace = new RequestTrace();
      const error = await run(handler, ctx({ trace }), clock);
      expect(error).to.be.instanceOf(GraphNetworkError).and.instanceOf(GraphError).and.not.instanceOf(TypeError);
      const network = error as GraphNetworkError;
      expect(network.kind).to.equal("connection-reset");
      expect(network.attempts).to.equal(2);
      expect(network.causes).to.have.length(1);
      expect(network.cause).to.be.instanceOf(TypeError);
      expect(network.statusCode).to.equal(-1);
      expect(network.clientRequestId).to.be.a("string");
      expect(trace.error).to.equal(error);
    });

    it("retries a browser's opaque failure (TypeError: Failed to fetch) once, and says CORS or connectivity is the likely cause", async () => {
      const { handler, next, retries, giveUps } = setup([fail(() => new TypeError("Failed to fetch"))], { maxRetries: 5 });
      const error = await run(handler, ctx(), clock);
      expect(next.calls).to.equal(2);
      expect(retries).to.have.length(1);
      expect(giveUps[0]).to.include({ reason: "max-retries", attempts: 2 });
      expect(error).to.be.instanceOf(GraphNetworkError).and.include({ kind: "cors-or-network", attempts: 2 });
      expect((error as Error).message).to.match(/Failed to fetch/).and.match(/CORS/).and.match(/unreachable/);
    });

    it("lets a cors-or-network failure followed by another kind use the remaining retries", async () => {
      const { handler, next } = setup([fail(() => new TypeError("Failed to fetch")), fail(resetError), fail(resetError), respond(200)], { maxRetries: 5 });
      expect(await run(handler, ctx(), clock)).to.equal("ok");
      expect(next.calls).to.equal(4);
    });

    it("does not retry a PATCH after a network failure unless it is marked idempotent", async () => {
      const plain = setup([fail(resetError), respond(200)]);
      const error = await run(plain.handler, ctx({ method: "PATCH", body: "{}" }), clock);
      expect(error).to.be.instanceOf(GraphNetworkError);
      expect(plain.next.calls).to.equal(1);
      expect(plain.giveUps[0]?.reason).to.equal("not-idempotent");

      const marked = setup([fail(resetError), hang(), respond(200)], { attemptTimeoutMs: 100 });
      const context = ctx({ method: "PATCH", body: "{}", middlewareOptions: [new IdempotentRequestOption()] });
      expect(await run(marked.handler, context, clock)).to.equal("ok");
      expect(marked.next.calls).to.equal(3);
    });

    it("retries any method after 429 and 503 (the server refused it without processing it)", async () => {
      for (const status of [429, 503]) {
        const { handler, next } = setup([respond(status, { "Retry-After": "1" }), respond(200)]);
        await run(handler, ctx({ method: "POST", body: '{"a":1}' }), clock);
        expect(next.calls, String(status)).to.equal(2);
      }
    });

    it("retries a PATCH after 502 or 504 (it may have been applied) only when it is marked idempotent", async () => {
      for (const status of [502, 504]) {
        const plain = setup([respond(status), respond(200)]);
        const context = ctx({ method: "PATCH", body: '{"a":1}' });
        await run(plain.handler, context, clock);
        expect(plain.next.calls, String(status)).to.equal(1);
        expect(context.response?.status).to.equal(status);
        expect(plain.giveUps[0]?.reason).to.equal("not-idempotent");

        const marked = setup([respond(status), respond(200)]);
        await run(marked.handler, ctx({ method: "PATCH", body: '{"a":1}', middlewareOptions: [new IdempotentRequestOption()] }), clock);
        expect(marked.next.calls, String(status)).to.equal(2);
      }
    });

    it("honours IdempotentRequestOption(false) even on a GET", async () => {
      const { handler, next } = setup([fail(resetError), respond(200)]);
      const error = await run(handler, ctx({ middlewareOptions: [new IdempotentRequestOption(false)] }), clock);
      expect(error).to.be.instanceOf(GraphNetworkError);
      expect(next.calls).to.equal(1);
    });

    it("never retries a request whose body is a stream", async () => {
      const status = setup([respond(503), respond(200)]);
      const context = ctx({ method: "PUT", body: new ReadableStream() });
      await run(status.handler, context, clock);
      expect(status.next.calls).to.equal(1);
      expect(context.response?.status).to.equal(503);
      expect(status.giveUps[0]?.reason).to.equal("not-replayable");

      const network = setup([fail(resetError), respond(200)]);
      const error = await run(network.handler, ctx({ method: "PUT", body: new Blob(["x"]).stream() }), clock);
      expect(error).to.be.instanceOf(GraphNetworkError);
      expect(network.next.calls).to.equal(1);
    });

    it("rethrows errors that are no network failure as they are, without retrying", async () => {
      const queueFull = new ThrottleQueueFullError("tenant", 10);
      const { handler, next } = setup([fail(() => queueFull), respond(200)]);
      expect(await run(handler, ctx(), clock)).to.equal(queueFull);
      expect(next.calls).to.equal(1);
      const bug = new RangeError("bug");
      const second = setup([fail(() => bug)]);
      expect(await run(second.handler, ctx(), clock)).to.equal(bug);
    });
  });

  describe("headers", () => {
    it("keeps a client-request-id the caller set, in any case", async () => {
      const { handler, next } = setup([respond(503), respond(503), respond(200)]);
      const context = ctx({ headers: { "Client-Request-Id": "mine-123" } });
      await run(handler, context, clock);
      expect(next.header("client-request-id")).to.deep.equal(["mine-123", "mine-123", "mine-123"]);
      // Normalised to lower case, so the official TelemetryHandler finds it and adds no second id.
      const keys = Object.keys(context.options?.headers as Record<string, string>);
      expect(keys).to.include("client-request-id").and.not.include("Client-Request-Id");
    });
  });

  describe("control and events", () => {
    it("lets shouldRetry veto a retry, with the failure's details and no secrets", async () => {
      const seen: ShouldRetryContext[] = [];
      const { handler, next, giveUps } = setup([respond(503, { "request-id": "rid" }), respond(200)], {
        shouldRetry: (c) => {
          seen.push(c);
          return c.error.code !== "E503";
        },
      });
      const context = ctx();
      await run(handler, context, clock);
      expect(next.calls).to.equal(1);
      expect(context.response?.status).to.equal(503);
      expect(seen[0]).to.include({ attempt: 1, status: 503, method: "GET", delayMs: 200, reason: "status", requestId: "rid" });
      expect(seen[0]?.url).to.contain("sig=REDACTED").and.contain("%24select=id");
      expect(giveUps[0]?.reason).to.equal("vetoed");
      expect(JSON.stringify(seen)).to.not.contain(TOKEN).and.not.contain("QUERYSECRET");
    });

    it("accepts an async shouldRetry", async () => {
      const { handler, next } = setup([respond(503), respond(200)], { shouldRetry: async () => true });
      await run(handler, ctx(), clock);
      expect(next.calls).to.equal(2);
    });

    it("emits onRetry and onGiveUp with ids, method and redacted URL, never the token or headers", async () => {
      const fromOptions: RetryEvent[] = [];
      const { handler, retries, giveUps } = setup([respond(503, { "request-id": "r-1" }), fail(resetError)], {
        maxRetries: 1,
        onRetry: (e) => fromOptions.push(e),
      });
      await run(handler, ctx({ headers: { "client-request-id": "c-1" } }), clock);
      expect(fromOptions).to.deep.equal(retries);
      expect(retries[0]).to.include({ attempt: 1, status: 503, requestId: "r-1", clientRequestId: "c-1", method: "GET" });
      expect(giveUps[0]).to.include({ reason: "max-retries", attempts: 2, status: null, clientRequestId: "c-1" });
      const text = JSON.stringify([retries, giveUps]) + String(retries[0]?.error) + String(giveUps[0]?.error);
      expect(text).to.not.contain(TOKEN).and.not.contain("Bearer").and.not.contain("QUERYSECRET");
      expect(retries[0]?.error.headers).to.equal(undefined);
    });

    it("removes a listener when its disposable is disposed, and survives a throwing listener", async () => {
      const { handler, next } = setup([respond(503), respond(503), respond(200)]);
      const seen: number[] = [];
      const disposable = handler.onRetry((e) => {
        seen.push(e.attempt);
        disposable.dispose();
      });
      handler.onRetry(() => {
        throw new Error("listener bug");
      });
      expect(await run(handler, ctx(), clock)).to.equal("ok");
      expect(seen).to.deep.equal([1]);
      expect(next.calls).to.equal(3);
    });

    it("lets one request override the handler's options", async () => {
      const { handler, next } = setup([respond(503), respond(200)], { maxRetries: 5 });
      const context = ctx({ middlewareOptions: [new ResilientRetryHandlerOptions({ maxRetries: 0 })] });
      await run(handler, context, clock);
      expect(next.calls).to.equal(1);
      expect(context.response?.status).to.equal(503);
      const other = setup([respond(503), respond(200)], { maxRetries: 0 });
      await run(other.handler, ctx({ middlewareOptions: [new ResilientRetryHandlerOptions({ maxRetries: 1 })] }), clock);
      expect(other.next.calls).to.equal(2);
    });
  });

  describe("construction", () => {
    it("uses the documented defaults", () => {
      expect(new ResilientRetryHandler().options).to.deep.equal(DEFAULT_RETRY_OPTIONS);
    });

    it("validates options in the handler and per request", () => {
      expect(() => new ResilientRetryHandler({ maxRetries: -1 })).to.throw(InvalidOptionsError);
      expect(() => new ResilientRetryHandlerOptions({ attemptTimeoutMs: -5 })).to.throw(InvalidOptionsError);
    });

    it("fails clearly without a next middleware", async () => {
      const error = await new ResilientRetryHandler().execute(ctx()).catch((e: unknown) => e);
      expect((error as Error).message).to.match(/next middleware/);
    });
  });
});
