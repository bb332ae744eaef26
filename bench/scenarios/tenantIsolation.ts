import { AuthenticationHandlerOptions } from "@microsoft/microsoft-graph-client";
import type { GraphClient } from "msgraph-software-update-status";
import { staticTokenProvider, type GraphEmulator } from "msgraph-software-update-status/testing";
import { ourClient, patchFor, stockClient } from "../lib/clients.js";
import { runPool } from "../lib/runPool.js";
import { fixed, type Row } from "../lib/table.js";
import { startLimitedEmulator, tokenFor } from "./common.js";

const FLOOD = { tenant: "tenant-flooded", count: 1000, concurrency: 200 };
const QUIET = [
  { tenant: "tenant-quiet-1", count: 100, concurrency: 20 },
  { tenant: "tenant-quiet-2", count: 100, concurrency: 20 },
];

interface Load {
  readonly tenant: string;
  readonly count: number;
  readonly concurrency: number;
}

/** One client serves every tenant (as a multi-tenant backend does): the token is chosen per request. */
async function run(client: GraphClient, load: Load): Promise<{ wallMs: number; failed: number }> {
  const auth = new AuthenticationHandlerOptions(staticTokenProvider(tokenFor(load.tenant)));
  const result = await runPool(load.count, load.concurrency, (i) =>
    // ordered: false, so the concurrency named reaches the chain (see observeUpdates).
    client.softwareUpdateStatusSummary().update(patchFor(i), { middlewareOptions: [auth], ordered: false }),
  );
  return { wallMs: result.wallMs, failed: result.failed };
}

async function measure(emulator: GraphEmulator, makeClient: () => GraphClient): Promise<Row[]> {
  const alone: Record<string, number> = {};
  for (const load of QUIET) {
    emulator.reset();
    alone[load.tenant] = (await run(makeClient(), load)).wallMs;
  }
  emulator.reset();
  const client = makeClient();
  const [flood, ...quiet] = await Promise.all([run(client, FLOOD), ...QUIET.map((load) => run(client, load))]);
  return [
    { tenant: `${FLOOD.tenant} (${FLOOD.count} @ ${FLOOD.concurrency})`, "alone s": "-", "together s": fixed((flood?.wallMs ?? 0) / 1000), "x alone": "-", failed: flood?.failed ?? 0 },
    ...QUIET.map((load, i) => {
      const together = quiet[i]?.wallMs ?? 0;
      const soloMs = alone[load.tenant] ?? 1;
      return {
        tenant: `${load.tenant} (${load.count} @ ${load.concurrency})`,
        "alone s": fixed(soloMs / 1000),
        "together s": fixed(together / 1000),
        "x alone": fixed(together / soloMs),
        failed: quiet[i]?.failed ?? 0,
      };
    }),
  ];
}

/** Scenario (b): three tenants on one client, one of them flooded. */
export async function tenantIsolation(): Promise<{ title: string; rows: Row[]; json: unknown }> {
  const emulator = await startLimitedEmulator();
  const anyToken = tokenFor("tenant-default");
  try {
    const stock = await measure(emulator, () => stockClient(emulator, anyToken));
    const ours = await measure(emulator, () => ourClient(emulator, anyToken));
    const rows = [...stock.map((row) => ({ client: "stock", ...row })), ...ours.map((row) => ({ client: "ours (defaults)", ...row }))];
    return {
      title: "(b) Tenant isolation: one client, three tenants, one flooded; limit 50 writes/s per tenant",
      rows,
      json: { flood: FLOOD, quiet: QUIET, stock, ours },
    };
  } finally {
    await emulator.close();
  }
}
