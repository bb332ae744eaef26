import { idealMs } from "../lib/clients.js";
import { fixed, type Row } from "../lib/table.js";
import { compareClients, startLimitedEmulator, WRITE_LIMIT, type UpdateRun } from "./common.js";

const COUNT = 1000;
const CONCURRENCY = 200;

/** Scenario (a): a burst against one tenant's limit; stock, ours with no configuration, ours with a budget. */
export async function burst(): Promise<{ title: string; rows: Row[]; json: unknown }> {
  const emulator = await startLimitedEmulator();
  const tenant = "tenant-burst";
  const ideal = idealMs(COUNT, WRITE_LIMIT.limit, WRITE_LIMIT.windowMs);
  let runs: Array<[string, UpdateRun]>;
  try {
    runs = await compareClients(emulator, tenant, COUNT, CONCURRENCY, "ours, no configuration (adaptive)");
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
