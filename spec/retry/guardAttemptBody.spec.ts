import { expect } from "chai";
import type { Context } from "@microsoft/microsoft-graph-client";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";
import { AttemptTimeoutError } from "../../lib/errors/AttemptTimeoutError.js";
import { DeadlineExceededError } from "../../lib/errors/DeadlineExceededError.js";
import { GraphNetworkError } from "../../lib/errors/GraphNetworkError.js";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { ResilientRetryHandler } from "../../lib/retry/ResilientRetryHandler.js";
import type { ResilientRetryOptions } from "../../lib/retry/ResilientRetryOptions.js";
import { makeContext, ScriptedNext, type Step } from "./support/scriptedNext.js";

/** Answers with headers and a body that sends `first` and then stalls (follows no signal, like a bad server). */
function stalling(status: number, first = '{"id":', headers: Record<string, string> = { "content-type": "application/json" }): Step {
  return (context) => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(first));
      },
      pull: () => new Promise<void>(() => undefined),
    });
    context.response = new Response(body, { status, headers });
  };
}

/** Answers with `bytes` bytes of `type`. */
function sized(status: number, type: string, bytes: number): Step {
  return (context) => {
    context.response = new Response(" ".repeat(bytes), { status, headers: { "content-type": type } });
  };
}

async function send(steps: Step[], options: Partial<ResilientRetryOptions>, signal?: AbortSignal, method?: string) {
  const handler = new ResilientRetryHandler({ baseDelayMs: 1, maxDelayMs: 1, ...options });
  const next = new ScriptedNext(steps);
  handler.setNext(next);
  const trace = new RequestTrace();
  const context: Context = makeContext({ middlewareOptions: [trace], signal, method });
  const started = performance.now();
  await handler.execute(context);
  return { context, trace, started, response: context.response!, next };
}

/** Answers with headers and a body that sends `first` and then fails with `error` (a connection lost under it, say). */
function breaking(first: string, headers: Record<string, string>, error: () => unknown): Step {
  return (context) => {
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return Promise.reject(error());
        sent = true;
        controller.enqueue(new TextEncoder().encode(first));
        return Promise.resolve();
      },
    });
    context.response = new Response(body, { status: 200, headers });
  };
}

/** undici's shape of a connection closed under a body. */
const terminated = (): TypeError => new TypeError("terminated", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });

async function readFailure(response: Response): Promise<unknown> {
  return response.text().then(
    () => expect.fail("expected the read to fail"),
    (error: unknown) => error,
  );
}

describe("retry/guardAttemptBody (through ResilientRetryHandler)", () => {
  it("fails the read of a stalled final body at the attempt's due time with AttemptTimeoutError, recorded in the trace", async () => {
    const { trace, started, response } = await send([stalling(200)], { attemptTimeoutMs: 150 });
    const error = await readFailure(response);
    expect(performance.now() - started).to.be.within(149, 250);
    expect(error).to.be.instanceOf(AttemptTimeoutError).and.include({ timeoutMs: 150, attempts: 1 });
    expect(trace.error).to.equal(error);
  });

  it("uses the deadline when it comes first", async () => {
    const { trace, response } = await send([stalling(200)], { attemptTimeoutMs: 10_000, deadlineMs: 150 });
    const error = await readFailure(response);
    expect(error).to.be.instanceOf(DeadlineExceededError).and.include({ deadlineMs: 150 });
    expect(trace.error).to.equal(error);
  });

  it("fails the read with the caller's reason when the caller aborts, and records nothing", async () => {
    const controller = new AbortController();
    const { trace, response } = await send([stalling(200)], { attemptTimeoutMs: 10_000 }, controller.signal);
    const reading = readFailure(response);
    setTimeout(() => controller.abort(new Error("caller")), 50);
    expect(await reading).to.equal(controller.signal.reason);
    expect(trace.error).to.equal(undefined);
  });

  it("retries a 503 whose error body stalls, once the attempt's time is up, and leaves no error in the trace when the retry succeeds", async () => {
    const { trace, response } = await send([stalling(503), sized(200, "application/json", 2)], { attemptTimeoutMs: 100 });
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal("  ");
    expect(trace.attempts).to.equal(2);
    expect(trace.causes[0]).to.be.instanceOf(GraphRequestError).and.include({ statusCode: 503, body: null });
    expect(trace.error).to.equal(undefined);
  });

  it("caps JSON, text and error bodies at maxResponseBytes, not downloads", async () => {
    for (const [status, type] of [
      [200, "application/json; charset=utf-8"],
      [200, "application/problem+json"],
      [200, "text/plain"],
      [400, "text/html"],
    ] as const) {
      const { trace, response } = await send([sized(status, type, 1001)], { maxResponseBytes: 1000 });
      const error = await readFailure(response);
      expect(error, type).to.be.instanceOf(GraphRequestError).and.include({ statusCode: status, code: "ResponseTooLarge" });
      expect(trace.error).to.equal(error);
    }
    for (const type of ["application/octet-stream", "image/jpeg", "text/csv"]) {
      const { response } = await send([sized(200, type, 5000)], { maxResponseBytes: 1000 });
      expect((await response.arrayBuffer()).byteLength, type).to.equal(5000);
    }
    const { response } = await send([sized(200, "application/json", 1000)], { maxResponseBytes: 1000 });
    expect(await response.text()).to.have.length(1000);
  });
});

describe("retry/readAttemptBodyAhead (through ResilientRetryHandler)", () => {
  const json = (length: number): Record<string, string> => ({ "content-type": "application/json", "content-length": String(length) });

  it("reads a small final JSON body with a Content-Length inside the attempt, and hands on a response that serves it", async () => {
    let source: Response | undefined;
    const step: Step = (context) => {
      source = new Response('{"id":"x"}', { status: 200, headers: json(10) });
      context.response = source;
    };
    const { response } = await send([step], {});
    expect(source?.bodyUsed, "read by the handler").to.equal(true);
    expect(response).to.not.equal(source);
    expect(response.headers).to.equal(source?.headers);
    expect(await response.json()).to.deep.equal({ id: "x" });
  });

  it("ends a stalled body at the attempt's due time inside the attempt: for a request not safe to repeat, the read then fails with the AttemptTimeoutError in the trace, and nothing is retried", async () => {
    const steps = [stalling(200, '{"id":', json(100)), sized(200, "application/json", 2)];
    const { trace, started, response, next } = await send(steps, { attemptTimeoutMs: 150 }, undefined, "POST");
    expect(performance.now() - started).to.be.within(149, 250);
    const error = await readFailure(response);
    expect(error).to.be.instanceOf(AttemptTimeoutError).and.include({ timeoutMs: 150, attempts: 1 });
    expect(trace.error).to.equal(error);
    expect(next.calls).to.equal(1);
  });

  it("retries a request safe to repeat whose body stalls: the attempt timed out, and the next attempt's answer is handed on", async () => {
    for (const method of ["GET", "PUT", "DELETE"]) {
      const steps = [stalling(200, '{"id":', json(100)), sized(200, "application/json", 2)];
      const { trace, started, response, next } = await send(steps, { attemptTimeoutMs: 150 }, undefined, method);
      expect(performance.now() - started, method).to.be.within(149, 400);
      expect(next.calls, method).to.equal(2);
      expect(await response.text(), method).to.equal("  ");
      expect(trace.attempts, method).to.equal(2);
      expect(trace.causes[0], method).to.be.instanceOf(AttemptTimeoutError).and.include({ timeoutMs: 150 });
      expect(trace.error, method).to.equal(undefined);
    }
  });

  it("retries a request safe to repeat whose connection fails under the body, as a network failure; another body failure is handed on", async () => {
    const lost = await send([breaking('{"id":', json(100), terminated), sized(200, "application/json", 2)], {}, undefined, "GET");
    expect(lost.next.calls).to.equal(2);
    expect(await lost.response.text()).to.equal("  ");
    expect(lost.trace.causes[0]).to.be.instanceOf(GraphNetworkError).and.include({ kind: "socket-closed" });
    expect(lost.trace.error).to.equal(undefined);
    // Not safe to repeat: the read fails with what the body failed with, once.
    const posted = await send([breaking('{"id":', json(100), terminated), sized(200, "application/json", 2)], {}, undefined, "POST");
    expect(posted.next.calls).to.equal(1);
    expect(await readFailure(posted.response)).to.be.instanceOf(TypeError).and.include({ message: "terminated" });
    // No network failure (a decoding bug, say): nothing a repeat would mend.
    const odd = await send([breaking('{"id":', json(100), () => new RangeError("odd")), sized(200, "application/json", 2)], {}, undefined, "GET");
    expect(odd.next.calls).to.equal(1);
    expect(await readFailure(odd.response)).to.be.instanceOf(RangeError);
  });

  it("gives up on a body that stalls on every attempt with the last attempt's AttemptTimeoutError, thrown, after maxRetries", async () => {
    const handler = new ResilientRetryHandler({ baseDelayMs: 1, maxDelayMs: 1, attemptTimeoutMs: 60, maxRetries: 2 });
    const next = new ScriptedNext([stalling(200, '{"id":', json(100))]);
    handler.setNext(next);
    const trace = new RequestTrace();
    const error = await handler.execute(makeContext({ middlewareOptions: [trace], method: "GET" })).then(
      () => expect.fail("expected the call to fail"),
      (thrown: unknown) => thrown,
    );
    expect(next.calls).to.equal(3);
    expect(error).to.be.instanceOf(AttemptTimeoutError).and.include({ attempts: 3 });
    expect(trace.error).to.equal(error);
  });

  it("ends it at the deadline with DeadlineExceededError, and at the caller's abort with its reason (recording nothing)", async () => {
    const late = await send([stalling(200, '{"id":', json(100))], { attemptTimeoutMs: 10_000, deadlineMs: 150 });
    expect(await readFailure(late.response)).to.be.instanceOf(DeadlineExceededError).and.equal(late.trace.error);
    const caller = AbortSignal.timeout(100);
    const aborted = await send([stalling(200, '{"id":', json(100))], { attemptTimeoutMs: 10_000 }, caller);
    expect(await readFailure(aborted.response)).to.equal(caller.reason);
    expect(aborted.trace.error).to.equal(undefined);
  });

  for (const [name, status, headers] of [
    ["a body without Content-Length", 200, { "content-type": "application/json" }],
    ["a download", 200, { "content-type": "application/octet-stream", "content-length": "100" }],
    ["a JSON body over 1 MiB", 200, json(2 * 1024 * 1024)],
    ["an encoded body", 200, { ...json(100), "content-encoding": "gzip" }],
    ["an error answer", 400, json(100)],
  ] as const) {
    it(`leaves ${name} streaming: the handler returns at the headers, the guard covers the read`, async () => {
      const { started, response } = await send([stalling(status, "{", headers)], { attemptTimeoutMs: 150 });
      expect(performance.now() - started).to.be.below(100);
      expect(await readFailure(response)).to.be.instanceOf(AttemptTimeoutError);
    });
  }
});
