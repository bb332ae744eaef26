import { Client } from "@microsoft/microsoft-graph-client";
import type { GraphClient } from "msgraph-software-update-status";
// Internal constants of the package (not public API): the bench lives in this repository.
import { SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE, SOFTWARE_UPDATE_STATUS_SUMMARY_PATH } from "../../lib/entity/softwareUpdateStatusSummaryMetadata.js";
import { startGraphEmulator, type GraphEmulator } from "msgraph-software-update-status/testing";
import { ourClient, patchFor } from "../lib/clients.js";
import { fixed, type Row } from "../lib/table.js";
import { tokenFor } from "./common.js";

/** Sequential PATCHes per client per round. */
const COUNT = 2000;
/** Measured rounds; the clients take turns within each round, in a rotating order. */
const ROUNDS = 5;
/**
 * Requests per client before measuring: JIT, connection pool, TLS sessions, and our adaptive
 * throttle's slow start (against a host with no known budget it starts at 20 requests/s and
 * doubles while it holds requests back), so the rounds measure the chain, not the learning.
 */
const WARM_UP = 1000;

/** One client under test: a label and how it sends update number `i`. */
interface Contender {
  readonly label: string;
  readonly send: (i: number) => Promise<unknown>;
}

/**
 * Scenario O: the per-request cost of our chain against the stock one, with nothing to retry or
 * throttle (emulator limits off, no faults). Each client sends {@link COUNT} sequential PATCHes
 * per round; the clients alternate within a round, the order rotates between rounds, and the
 * median round decides, so a burst of load from elsewhere on the machine does not. The stock
 * client sends the same body through `client.api(path).patch(body)`.
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
  const perRequestUs = new Map<string, number[]>(contenders.map((c) => [c.label, []]));
  const cpuPerRequestUs = new Map<string, number[]>(contenders.map((c) => [c.label, []]));
  try {
    for (const contender of contenders) await runSequential(contender, WARM_UP);
    for (let round = 0; round < ROUNDS; round++) {
      for (let k = 0; k < contenders.length; k++) {
        const contender = contenders[(round + k) % contenders.length] as Contender;
        const { wallMs, cpuMs } = await runSequential(contender, COUNT);
        perRequestUs.get(contender.label)?.push((wallMs * 1000) / COUNT);
        cpuPerRequestUs.get(contender.label)?.push((cpuMs * 1000) / COUNT);
      }
    }
  } finally {
    await emulator.close();
  }
  const stockLabel = contenders[0]?.label ?? "";
  const stockUs = median(perRequestUs.get(stockLabel) ?? []);
  const stockCpuUs = median(cpuPerRequestUs.get(stockLabel) ?? []);
  const rows = contenders.map(({ label }) => {
    const samples = perRequestUs.get(label) ?? [];
    const us = median(samples);
    const cpuUs = median(cpuPerRequestUs.get(label) ?? []);
    return {
      client: label,
      "µs/request": fixed(us, 0),
      "rounds min..max": `${fixed(Math.min(...samples), 0)}..${fixed(Math.max(...samples), 0)}`,
      "x stock": fixed(us / stockUs),
      "CPU µs/request": fixed(cpuUs, 0),
      "CPU x stock": fixed(cpuUs / stockCpuUs),
    };
  });
  return {
    title: `O. Overhead: ${COUNT} sequential PATCHes per client and round, ${ROUNDS} rounds, no throttling, no faults (median round)`,
    rows,
    json: {
      count: COUNT,
      rounds: ROUNDS,
      warmUp: WARM_UP,
      perRequestUs: Object.fromEntries(perRequestUs),
      cpuPerRequestUs: Object.fromEntries(cpuPerRequestUs),
    },
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
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}
