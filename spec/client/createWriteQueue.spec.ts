import { expect } from "chai";
import { createWriteQueue } from "../../lib/client/createWriteQueue.js";

/** A promise with its resolve function exposed. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** Lets every pending promise callback run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("client/createWriteQueue", () => {
  it("runs the writes of one key one at a time, in the order they were queued", async () => {
    const queue = createWriteQueue();
    const started: number[] = [];
    const gates = [deferred(), deferred(), deferred()];
    const results = gates.map((gate, i) =>
      queue.run("k", undefined, async () => {
        started.push(i);
        await gate.promise;
        return i;
      }, async () => undefined),
    );
    await flush();
    expect(started).to.deep.equal([0]);
    expect(queue.size("k")).to.equal(3);
    gates[1]?.resolve();
    await flush();
    expect(started).to.deep.equal([0]);
    gates[0]?.resolve();
    await flush();
    // 1 was already free to finish, so 2 starts right after it.
    expect(started).to.deep.equal([0, 1, 2]);
    gates[2]?.resolve();
    expect(await Promise.all(results)).to.deep.equal([0, 1, 2]);
    await flush();
    expect(queue.size("k")).to.equal(0);
  });

  it("runs different keys side by side", async () => {
    const queue = createWriteQueue();
    const gate = deferred();
    const started: string[] = [];
    void queue.run("a", undefined, async () => {
      started.push("a");
      await gate.promise;
    }, async () => undefined);
    const b = queue.run("b", undefined, async () => {
      started.push("b");
      return "b done";
    }, async () => undefined);
    expect(await b).to.equal("b done");
    expect(started).to.deep.equal(["a", "b"]);
    gate.resolve();
  });

  it("settles the caller's promise with the write at once, but holds the key until `held` resolves", async () => {
    const queue = createWriteQueue();
    const held = deferred();
    const first = queue.run("k", undefined, async () => "first", () => held.promise);
    let secondStarted = false;
    const second = queue.run("k", undefined, async () => {
      secondStarted = true;
      return "second";
    }, async () => undefined);
    expect(await first).to.equal("first");
    await flush();
    expect(secondStarted).to.equal(false);
    held.resolve();
    expect(await second).to.equal("second");
  });

  it("releases the key after a failed write and after a failed `held`", async () => {
    const queue = createWriteQueue();
    const failing = queue.run("k", undefined, async () => {
      throw new Error("boom");
    }, async () => {
      throw new Error("held failed");
    });
    const next = queue.run("k", undefined, async () => "next", async () => undefined);
    let thrown: unknown;
    try {
      await failing;
    } catch (error) {
      thrown = error;
    }
    expect((thrown as Error).message).to.equal("boom");
    expect(await next).to.equal("next");
  });

  it("removes a waiting write when its signal aborts: it never runs and rejects with the reason", async () => {
    const queue = createWriteQueue();
    const gate = deferred();
    const ran: string[] = [];
    const first = queue.run("k", undefined, async () => {
      ran.push("first");
      await gate.promise;
    }, async () => undefined);
    const controller = new AbortController();
    const aborted = queue.run("k", controller.signal, async () => {
      ran.push("aborted");
    }, async () => undefined);
    const last = queue.run("k", undefined, async () => {
      ran.push("last");
    }, async () => undefined);
    const reason = new Error("stop");
    controller.abort(reason);
    let thrown: unknown;
    try {
      await aborted;
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.equal(reason);
    expect(queue.size("k")).to.equal(2);
    gate.resolve();
    await first;
    await last;
    expect(ran).to.deep.equal(["first", "last"]);
  });

  it("rejects at once, without queueing, when the signal is already aborted", async () => {
    const queue = createWriteQueue();
    let ran = false;
    const reason = new Error("already");
    let thrown: unknown;
    try {
      await queue.run("k", AbortSignal.abort(reason), async () => {
        ran = true;
      }, async () => undefined);
    } catch (error) {
      thrown = error;
    }
    expect([thrown, ran, queue.size("k")]).to.deep.equal([reason, false, 0]);
  });

  it("adds one abort listener to a shared signal however many writes wait on it", async () => {
    const queue = createWriteQueue();
    const gate = deferred();
    const controller = new AbortController();
    let added = 0;
    const add = controller.signal.addEventListener.bind(controller.signal);
    controller.signal.addEventListener = ((...args: Parameters<AbortSignal["addEventListener"]>) => {
      added += 1;
      add(...args);
    }) as AbortSignal["addEventListener"];
    void queue.run("k", controller.signal, () => gate.promise, async () => undefined);
    const waiting = Array.from({ length: 20 }, () => queue.run("k", controller.signal, async () => undefined, async () => undefined));
    expect(added).to.equal(1);
    gate.resolve();
    await Promise.all(waiting);
  });
});
