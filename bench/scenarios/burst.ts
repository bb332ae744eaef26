import { idealMs, ourClient, stockClient } from "../lib/clients.js";
import { fixed, type Row } from "../lib/table.js";
import { runUpdates, startLimitedEmulator, tokenFor, WRITE_LIMIT, type UpdateRun } from "./common.js";

const COUNT = 1000;
const CONCURRENCY = 200;

/** Scenario (a): a burst against one tenant's limit; stock, ours with no configuration, ours with a budget. */
export async function burst(): Promise<{ title: string; rows: Row[]; json: unknown }> {
  const emulator = await startLimitedEmulator();
  const tenant = "tenant-burst";
  const ideal = idealMs(COUNT, WRITE_LIMIT.limit, WRITE_LIMIT.windowMs);
  const budget = { name: "writes", route: "/deviceManagement/", methods: "write", scope: "tenant", ...WRITE_LIMIT } as const;
  const runs: Array<[string, UpdateRun]> = [];
  try {
    runs.push(["stock (RetryHandler)", await runUpdates(emulator, stockClient(emulator, tokenFor(tenant)), COUNT, CONCURRENCY, tenant)]);
    runs.push(["ours, no configuration (adaptive)", await runUpdates(emulator, ourClient(emulator, tokenFor(tenant)), COUNT, CONCURRENCY, tenant)]);
    runs.push([
      "ours, matching budget",
      await runUpdates(emulator, ourClient(emulator, tokenFor(tenant), { throttle: { budgets: [budget] } }), COUNT, CONCURRENCY, tenant),
    ]);
  } finally {
    await emulator.close();
  }
  const rows = runs.map(([client, run]) => ({
    client,
    "updates failed": run.failed,
    "429s": run.throttled,
    "429s/update": fixed(run.throttled / COUNT, 3),
    "server requests": run.serverRequests,
    "wall s": fixed(run.wallMs / 1000),
    "x ideal": fixed(run.wallMs / ideal),
  }));
  return {
    title: `(a) Burst: ${COUNT} PATCHes at concurrency ${CONCURRENCY}, one tenant, limit 50 writes/s (ideal ${fixed(ideal / 1000)} s)`,
    rows,
    json: { count: COUNT, concurrency: CONCURRENCY, idealMs: ideal, runs: Object.fromEntries(runs) },
  };
}
