import { ThrottleHandler, ThrottleQueueFullError } from "msgraph-software-update-status";
import { ourClient, patchFor } from "../lib/clients.js";
import { fixed, type Row } from "../lib/table.js";
import { startLimitedEmulator, tokenFor } from "./common.js";

const QUEUED = 10_000;

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("run the benchmark with node --expose-gc (npm run bench does)");
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error("timed out waiting for the queue to fill");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Scenario (c): 10,000 requests queued at once behind an exhausted budget; memory, overflow, abort. */
export async function queueMemory(): Promise<{ title: string; rows: Row[]; json: unknown }> {
  const emulator = await startLimitedEmulator();
  const tenant = "tenant-queue";
  // One write per 10 minutes: after the first, every request has to wait in the queue.
  const throttle = new ThrottleHandler({
    maxQueue: QUEUED,
    budgets: [{ name: "one write", route: "/deviceManagement/", methods: "write", scope: "tenant", limit: 1, windowMs: 600_000 }],
  });
  const client = ourClient(emulator, tokenFor(tenant), { throttle, retry: { deadlineMs: 900_000 } });
  try {
    await client.softwareUpdateStatusSummary().update(patchFor(0));
    const heapBefore = heapAfterGc();
    const controller = new AbortController();
    // ordered: false, so every request reaches the throttle queue this scenario measures; ordered
    // writes would wait one behind the other in the tenant's write lane instead.
    const pending = Array.from({ length: QUEUED }, (_, i) =>
      client.softwareUpdateStatusSummary().update(patchFor(i + 1), { signal: controller.signal, ordered: false }),
    );
    const settled = Promise.allSettled(pending);
    const queuedNow = (): number => throttle.stats().reduce((sum, key) => sum + key.queued + key.inFlight, 0);
    await until(() => queuedNow() >= QUEUED, 30_000);
    const heapQueued = heapAfterGc();

    const overflowStarted = performance.now();
    let overflowError = "none (BUG)";
    try {
      await client.softwareUpdateStatusSummary().update(patchFor(QUEUED + 1), { ordered: false });
    } catch (error) {
      overflowError = error instanceof ThrottleQueueFullError ? `ThrottleQueueFullError: ${error.message}` : String(error);
    }
    const overflowMs = performance.now() - overflowStarted;

    const abortStarted = performance.now();
    controller.abort(new Error("benchmark over"));
    const outcomes = await settled;
    const abortMs = performance.now() - abortStarted;
    const rejected = outcomes.filter((outcome) => outcome.status === "rejected").length;
    const heapAfter = heapAfterGc();
    const serverRequests = emulator.stats().requests;
    const perRequest = (heapQueued - heapBefore) / QUEUED;
    const json = {
      queued: QUEUED,
      heapBeforeBytes: heapBefore,
      heapQueuedBytes: heapQueued,
      heapAfterAbortBytes: heapAfter,
      bytesPerQueuedRequest: Math.round(perRequest),
      overflowError,
      overflowMs,
      abortMs,
      rejectedOnAbort: rejected,
      serverRequests,
    };
    const rows: Row[] = [
      { measure: "requests queued at once", ours: QUEUED, stock: "no queue: all go on the wire" },
      { measure: "heap growth per queued request", ours: `${fixed(perRequest / 1024, 2)} KiB`, stock: "-" },
      { measure: "heap after abort vs before", ours: `${fixed((heapAfter - heapBefore) / 1024 / 1024, 2)} MiB`, stock: "-" },
      { measure: `request ${QUEUED + 1} (queue full)`, ours: `${overflowError.split(":")[0]} in ${fixed(overflowMs, 1)} ms`, stock: "-" },
      { measure: "abort all queued: settled in", ours: `${fixed(abortMs, 0)} ms (${rejected} rejected)`, stock: "no abortable queue" },
      { measure: "requests that reached the server", ours: serverRequests, stock: "-" },
    ];
    return { title: `(c) Queue: ${QUEUED} requests queued at once behind an exhausted budget (maxQueue ${QUEUED})`, rows, json };
  } finally {
    await emulator.close();
  }
}
