import { expect } from "chai";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { createTimedAbortScope } from "../../lib/retry/timedAbortScope.js";

/** `gc()`, with or without `node --expose-gc`. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed !== undefined) return exposed;
  setFlagsFromString("--expose-gc");
  return runInNewContext("gc") as () => void;
}

const MiB = 1024 * 1024;

// Regression tests for what `AbortSignal.any` did on Node 20 (see `linkToParent`): both measure
// the heap, so their limits sit far from both the fixed figure (~0) and the broken one (4+ MiB).
describe("createTimedAbortScope memory", function () {
  this.timeout(60_000);
  const gc = collector();
  const heapUsed = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
  /** Collects, then lets FinalizationRegistry callbacks run (V8 posts them as a task). */
  const settledHeap = async (): Promise<number> => {
    for (let i = 0; i < 3; i += 1) {
      heapUsed();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return heapUsed();
  };

  it("does not grow a shared parent that never aborts with every request that followed it", async () => {
    const shared = new AbortController();
    const run = (): void => {
      // What executeWithRetry does per request: a deadline under the caller's signal, an attempt
      // under it (no timeouts here: timers are not what is measured, and they are slow to create).
      const deadline = createTimedAbortScope(shared.signal, Infinity);
      const attempt = createTimedAbortScope(deadline.signal, Infinity);
      attempt.dispose();
      deadline.dispose();
    };
    const runMany = async (): Promise<void> => {
      for (let i = 0; i < 40_000; i += 1) {
        run();
        if (i % 10_000 === 0) await nextTurn();
      }
    };
    // The first round grows weak-map tables to their high-water mark; V8 does not shrink them.
    await runMany();
    const before = await settledHeap();
    await runMany();
    const grown = (await settledHeap()) - before;
    // AbortSignal.any on Node 20: +4.4 MiB (two WeakRefs per request that are never removed).
    expect(grown / MiB).to.be.below(1.5);
    expect(shared.signal.aborted).to.equal(false);
  });

  it("frees the scopes of a shared parent as soon as it aborts, within the same job", () => {
    const shared = new AbortController();
    const before = heapUsed();
    for (let i = 0; i < 10_000; i += 1) {
      // Live (queued) requests: nothing but the shared signal refers to their scopes.
      const deadline = createTimedAbortScope(shared.signal, 900_000);
      createTimedAbortScope(deadline.signal, 60_000);
    }
    shared.abort(new Error("shutdown"));
    // Measured synchronously, like code that awaits a mass abort in microtasks only.
    const grown = heapUsed() - before;
    // AbortSignal.any on Node 20: ~40 MiB, held by V8 until the job ends (every dependant deref()ed).
    expect(grown / MiB).to.be.below(2);
  });
});
