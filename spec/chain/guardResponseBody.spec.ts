import { expect } from "chai";
import { guardResponseBody } from "../../lib/chain/guardResponseBody.js";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A body that serves `chunks` on demand, then stalls (or ends when `end`), recording pulls and cancels. */
function source(chunks: string[], end = true) {
  const state = { pulls: 0, cancelled: undefined as unknown, isCancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulls += 1;
        const next = chunks.shift();
        if (next !== undefined) controller.enqueue(bytes(next));
        else if (end) controller.close();
        else return new Promise<void>(() => undefined); // stalls
        return undefined;
      },
      cancel(reason) {
        state.isCancelled = true;
        state.cancelled = reason;
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("chain/guardResponseBody", () => {
  it("passes the body through and keeps status, headers and url; onEnd runs once at the end", async () => {
    const { stream } = source(["hello ", "world"]);
    const original = new Response(stream, { status: 201, statusText: "Created", headers: { "x-a": "1" } });
    Object.defineProperty(original, "url", { value: "https://graph.microsoft.com/v1.0/me" });
    let ends = 0;
    const guarded = guardResponseBody(original, { signal: new AbortController().signal, onEnd: () => (ends += 1) });
    expect(guarded).to.not.equal(original);
    expect([guarded.status, guarded.statusText, guarded.headers.get("x-a"), guarded.url]).to.deep.equal([201, "Created", "1", "https://graph.microsoft.com/v1.0/me"]);
    expect(ends).to.equal(0);
    expect(await guarded.text()).to.equal("hello world");
    expect(ends).to.equal(1);
  });

  it("fails a stalled read at once when the signal aborts, with abortError(), and cancels the body", async () => {
    const { stream, state } = source(["{"], false);
    const controller = new AbortController();
    const timeout = new Error("attempt timeout");
    let ends = 0;
    const guarded = guardResponseBody(new Response(stream), { signal: controller.signal, abortError: () => timeout, onEnd: () => (ends += 1) });
    const reading = rejection(guarded.text());
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error("not this one"));
    expect(await reading).to.equal(timeout);
    expect(state.isCancelled).to.equal(true);
    expect(state.cancelled).to.equal(timeout);
    expect(ends).to.equal(1);
  });

  it("takes a watch instead of a signal: started on the first read, its abort fails the read, and it is stopped at the end", async () => {
    const { stream, state } = source(["{"], false);
    const timeout = new Error("attempt timeout");
    let abort: (() => void) | undefined;
    let stops = 0;
    const guarded = guardResponseBody(new Response(stream), {
      watch: (end) => {
        abort = end;
        return () => (stops += 1);
      },
      abortError: () => timeout,
    });
    expect(abort).to.equal(undefined);
    const reading = rejection(guarded.text());
    await new Promise((resolve) => setImmediate(resolve));
    abort?.();
    expect(await reading).to.equal(timeout);
    expect([state.isCancelled, stops]).to.deep.equal([true, 1]);
    // A watch that aborts at once ends the body at its first read, and is stopped all the same.
    let early = 0;
    const ended = guardResponseBody(new Response(source(["x"]).stream), {
      watch: (end) => {
        end();
        return () => (early += 1);
      },
      abortError: () => timeout,
    });
    expect(await rejection(ended.text())).to.equal(timeout);
    expect(early).to.equal(1);
  });

  it("uses the signal's reason by default, and fails at the first read when it aborted before", async () => {
    const { stream, state } = source(["x"]);
    const controller = new AbortController();
    controller.abort(new Error("caller"));
    const guarded = guardResponseBody(new Response(stream), { signal: controller.signal });
    expect(await rejection(guarded.arrayBuffer())).to.equal(controller.signal.reason);
    expect(state.pulls).to.equal(0);
    expect(state.isCancelled).to.equal(true);
  });

  it("asks a signal function only on the first read (a body nobody reads watches nothing)", async () => {
    const { stream } = source(["ok"]);
    let asked = 0;
    const guarded = guardResponseBody(new Response(stream), {
      signal: () => {
        asked += 1;
        return new AbortController().signal;
      },
    });
    expect(asked).to.equal(0);
    expect(await guarded.text()).to.equal("ok");
    expect(asked).to.equal(1);
  });

  it("fails a body that passes maxBytes as soon as it does, and reads no further", async () => {
    const { stream, state } = source(["12345", "67890", "abcde", "fghij"]);
    const tooLarge = new Error("too large");
    const guarded = guardResponseBody(new Response(stream), { signal: new AbortController().signal, maxBytes: 8, tooLargeError: () => tooLarge });
    expect(await rejection(guarded.text())).to.equal(tooLarge);
    expect(state.pulls).to.equal(2);
    expect(state.cancelled).to.equal(tooLarge);
  });

  it("accepts a body of exactly maxBytes", async () => {
    const { stream } = source(["1234", "5678"]);
    const guarded = guardResponseBody(new Response(stream), { signal: new AbortController().signal, maxBytes: 8 });
    expect(await guarded.text()).to.equal("12345678");
  });

  it("fails at the first read, reading nothing, when Content-Length is above maxBytes (not when the body is encoded)", async () => {
    const tooLarge = new Error("too large");
    const declared = source(["x"]);
    const guarded = guardResponseBody(new Response(declared.stream, { headers: { "content-length": "9" } }), {
      signal: new AbortController().signal,
      maxBytes: 8,
      tooLargeError: () => tooLarge,
    });
    expect(await rejection(guarded.text())).to.equal(tooLarge);
    expect(declared.state.pulls).to.equal(0);
    expect(declared.state.isCancelled).to.equal(true);

    const encoded = source(["x"]);
    const gzipped = guardResponseBody(new Response(encoded.stream, { headers: { "content-length": "9", "content-encoding": "gzip" } }), {
      signal: new AbortController().signal,
      maxBytes: 8,
    });
    expect(await gzipped.text()).to.equal("x");
  });

  it("reads the original body only when its reader asks (no read-ahead)", async () => {
    const { stream, state } = source(["a", "b", "c"]);
    const guarded = guardResponseBody(new Response(stream), { signal: new AbortController().signal });
    await new Promise((resolve) => setImmediate(resolve));
    expect(state.pulls).to.equal(0);
    const reader = guarded.body!.getReader();
    await reader.read();
    expect(state.pulls).to.equal(1);
    await reader.cancel("done");
  });

  it("passes a reader's cancel on to the body, stops watching the signal, and runs onEnd", async () => {
    const { stream, state } = source(["a", "b"], false);
    const controller = new AbortController();
    let ends = 0;
    let aborts = 0;
    const guarded = guardResponseBody(new Response(stream), { signal: controller.signal, abortError: () => (aborts += 1), onEnd: () => (ends += 1) });
    const reader = guarded.body!.getReader();
    await reader.read();
    await reader.cancel("enough");
    expect(state.cancelled).to.equal("enough");
    expect(ends).to.equal(1);
    controller.abort();
    expect(aborts).to.equal(0);
  });

  it("passes a failure of the body through", async () => {
    const broken = new TypeError("terminated");
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(broken);
      },
    });
    let ends = 0;
    const guarded = guardResponseBody(new Response(stream), { signal: new AbortController().signal, onEnd: () => (ends += 1) });
    expect(await rejection(guarded.text())).to.equal(broken);
    expect(ends).to.equal(1);
  });

  it("a clone follows the guard too", async () => {
    const { stream } = source(["{"], false);
    const controller = new AbortController();
    const guarded = guardResponseBody(new Response(stream), { signal: controller.signal });
    const clone = guarded.clone();
    const reading = rejection(clone.text());
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error("stop"));
    expect(await reading).to.equal(controller.signal.reason);
  });

  it("returns a response without a body as it is, after onEnd", () => {
    let ends = 0;
    const noContent = new Response(null, { status: 204 });
    expect(guardResponseBody(noContent, { signal: new AbortController().signal, onEnd: () => (ends += 1) })).to.equal(noContent);
    expect(ends).to.equal(1);
  });
});
