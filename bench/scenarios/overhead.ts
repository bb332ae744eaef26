import { Client } from "@microsoft/microsoft-graph-client";
import type { GraphClient } from "msgraph-software-update-status";
// Internal constants of the package (not public API): the bench lives in this repository.
import { SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE, SOFTWARE_UPDATE_STATUS_SUMMARY_PATH } from "../../lib/entity/softwareUpdateStatusSummaryMetadata.js";
import { startGraphEmulator, type GraphEmulator } from "msgraph-software-update-status/testing";
import { ourClient, patchFor } from "../lib/clients.js";
import { fixed, type Row } from "../lib/table.js";
import { tokenFor } from "./common.js";

/** Sequential PATCHes per client in one block. */
const BLOCK = 200;
/** Measured blocks; in each, every client sends one block, in a rotating order. */
const BLOCKS = 30;
/**
 * Requests per client before measuring: JIT, connection pool, TLS sessions, and our adaptive
 * throttle's slow start (against a host with no known budget it starts at 20 requests/s and
 * doubles while it holds requests back), so the blocks measure the chain, not the learning.
 */
const WARM_UP = 3000;

/** One client under test: a label and how it sends update number `i`. */
interface Contender {
  readonly label: string;
  readonly send: (i: number) => Promise<unknown>;
}

/** One block's cost per request. */
interface Sample {
  readonly wallUs: number;
  readonly cpuUs: number;
}

/**
 * Scenario O: the per-request cost of our chain against the stock one, with nothing to retry or
 * throttle (emulator limits off, no faults). The clients take turns in short blocks of
 * {@link BLOCK} sequential PATCHes, in a rotating order, and each block of ours is compared with
 * the stock block beside it: the median of those paired ratios decides. Why pairs of short
 * blocks: on a shared 2-core machine, load from elsewhere comes and goes over seconds, and a
 * long round of one client would catch it alone. The stock client sends the same body through
 * `client.api(path).patch(body)`.
 */
export async function overhead(): Promise<{ title: string; rows: Row[]; json: unknown }> {
  const emulator = await startGraphEmulator({ limits: false });
  const token = tokenFor("tenant-overhead");
  const contenders: Contender[] = [
    { label: "stock (Client.init, api().patch())", send: stockPatcher(emulator, token) },
    { label: "ours (default chain)", send: ourPatcher(ourClient(emulator, token)) },
    { label: "ours, retry:false throttle:false", send: ourPatcher(ourClient(emulator, token, { retry: false, throttle: false })) },
    // Where the rest goes: against a host with no known budget the default throttle paces at a learned rate.
    { label: "ours, throttle adaptive:false", send: ourPatcher(ourClient(emulator, token, { throttle: { adaptive: false } })) },
  ];
  const samples = new Map<string, Sample[]>(contenders.map((c) => [c.label, []]));
  try {
    for (const contender of contenders) await runSequential(contender, WARM_UP);
    for (let block = 0; block < BLOCKS; block++) {
      for (let k = 0; k < contenders.length; k++) {
        const contender = contenders[(block + k) % contenders.length] as Contender;
        const { wallMs, cpuMs } = await runSequential(contender, BLOCK);
        samples.get(contender.label)?.push({ wallUs: (wallMs * 1000) / BLOCK, cpuUs: (cpuMs * 1000) / BLOCK });
      }
    }
  } finally {
    await emulator.close();
  }
  const stock = samples.get(contenders[0]?.label ?? "") ?? [];
  const rows = contenders.map(({ label }) => {
    const own = samples.get(label) ?? [];
    const wallRatios = own.map((sample, i) => sample.wallUs / (stock[i]?.wallUs ?? NaN));
    const cpuRatios = own.map((sample, i) => sample.cpuUs / (stock[i]?.cpuUs ?? NaN));
    return {
      client: label,
      "µs/request": fixed(median(own.map((sample) => sample.wallUs)), 0),
      "x stock": fixed(median(wallRatios)),
      "x stock p25..p75": `${fixed(quantile(wallRatios, 0.25))}..${fixed(quantile(wallRatios, 0.75))}`,
      "CPU µs/request": fixed(median(own.map((sample) => sample.cpuUs)), 0),
      "CPU x stock": fixed(median(cpuRatios)),
    };
  });
  return {
    title: `O. Overhead: ${BLOCKS} blocks of ${BLOCK} sequential PATCHes per client (${BLOCKS * BLOCK} each), no throttling, no faults (median of paired blocks)`,
    rows,
    json: { block: BLOCK, blocks: BLOCKS, warmUp: WARM_UP, samples: Object.fromEntries(samples) },
  };
}

/**
 * Sends `count` updates one after the other; any failure aborts the bench. Returns wall time and
 * the process's CPU time (client and in-process emulator), which load from elsewhere on the
 * machine disturbs less than wall time.
 */
async function runSequential(contender: Contender, count: number): Promise<{ wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < count; i++) await contender.send(i);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
}

/** The stock client as the Graph docs build it, sending the same PATCH through `api().patch()`. */
function stockPatcher(emulator: GraphEmulator, token: string): (i: number) => Promise<unknown> {
  const client = Client.init({
    authProvider: (done) => done(null, token),
    baseUrl: emulator.url,
    customHosts: new Set([emulator.host]),
    fetchOptions: emulator.fetchOptions,
  });
  return (i) => client.api(SOFTWARE_UPDATE_STATUS_SUMMARY_PATH).patch({ "@odata.type": SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE, ...patchFor(i) });
}

function ourPatcher(client: GraphClient): (i: number) => Promise<unknown> {
  return (i) => client.softwareUpdateStatusSummary().update(patchFor(i));
}

function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** The `q` quantile, interpolated between the two nearest values. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = sorted[Math.floor(at)] ?? NaN;
  const high = sorted[Math.ceil(at)] ?? NaN;
  return low + (high - low) * (at - Math.floor(at));
}
