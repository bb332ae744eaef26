import { idealMs } from "../lib/clients.js";
import { fixed, type Row } from "../lib/table.js";
import { compareClients, startLimitedEmulator, WRITE_LIMIT, type UpdateRun } from "./common.js";

const COUNT = 400;
const CONCURRENCY = 20;
/** The fault mix: 10% 503/504 (no Retry-After, so nothing but backoff helps) and 2% resets. */
const FAULTS = { seed: 7, unavailable: 0.05, gatewayTimeout: 0.05, connectionReset: 0.02 } as const;

/** Scenario R: retries under faults, stock chain against ours. */
export async function retryUnderFaults(): Promise<{ title: string; rows: Row[]; json: unknown }> {
  const emulator = await startLimitedEmulator(FAULTS);
  const tenant = "tenant-retry";
  const ideal = idealMs(COUNT, WRITE_LIMIT.limit, WRITE_LIMIT.windowMs);
  let runs: Array<[string, UpdateRun]>;
  try {
    runs = await compareClients(emulator, tenant, COUNT, CONCURRENCY, "ours (defaults)");
  } finally {
    await emulator.close();
  }
  const rows = runs.map(([client, run]) => ({
    client,
    "updates failed": run.failed,
    "acked but lost": run.lost,
    "server requests": run.serverRequests,
    "wall s": fixed(run.wallMs / 1000),
    "x ideal": fixed(run.wallMs / ideal),
    errors: Object.entries(run.errors).map(([name, n]) => `${name} x${n}`).join("; ") || "-",
  }));
  return {
    title: `R. Retries under faults: ${COUNT} PATCHes, concurrency ${CONCURRENCY}, 5% 503 + 5% 504 + 2% resets, limit 50 writes/s (ideal ${fixed(ideal / 1000)} s)`,
    rows,
    json: { count: COUNT, concurrency: CONCURRENCY, faults: FAULTS, idealMs: ideal, runs: Object.fromEntries(runs) },
  };
}
