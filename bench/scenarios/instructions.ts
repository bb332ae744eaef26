import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { fixed, type Row } from "../lib/table.js";

const run = promisify(execFile);
/** The worker (bundled with the built package before valgrind runs it). */
export const INSTRUCTIONS_WORKER = fileURLToPath(new URL("../instructionsWorker.ts", import.meta.url));

/** The clients counted; the stock one first (the others are compared with it). */
export const INSTRUCTION_CLIENTS = [
  { id: "stock", label: "stock (Client.init, api().patch())" },
  { id: "ours", label: "ours (default chain, throttle adaptive:false)" },
  { id: "ours-no-retry", label: "ours, retry:false" },
  { id: "ours-no-throttle", label: "ours, throttle:false" },
] as const;

/**
 * Two loop lengths per client: the difference between their counts is the cost of the extra
 * requests alone (start-up, module loading and the first requests' compilation are in both and
 * cancel out). The first 2,000 requests are long enough for V8 to have optimised the hot code, so
 * the counted ones run as a long-lived service's do (with 1,000, compilation still fell among them).
 */
const SHORT = 2000;
const LONG = 6000;

/**
 * Counts the instructions one run of the worker bundle executes, with callgrind, V8 running
 * single-threaded (`--single-threaded`: no background compiler or collector threads).
 */
async function countInstructions(bundle: string, client: string, requests: number): Promise<number> {
  const { stderr } = await run(
    "valgrind",
    ["--tool=callgrind", "--callgrind-out-file=/dev/null", "--smc-check=all-non-file", process.execPath, "--single-threaded", bundle],
    { env: { ...process.env, INSTR_CLIENT: client, INSTR_COUNT: String(requests) }, maxBuffer: 16 * 1024 * 1024 },
  );
  const total = readInstructionCount(stderr);
  if (total === undefined) throw new Error(`callgrind printed no instruction count for ${client}:\n${stderr.slice(-2000)}`);
  return total;
}

/**
 * The worker and the built package in one ES module file, compiled from TypeScript, so nothing
 * but the loop runs under valgrind. Why a bundle: loaded as their hundred or so modules, the same
 * code counted 426,000 to 450,000 instructions a request from run to run; bundled into one file,
 * runs of the same code agreed within 2% (2026-11-30).
 * @param dir - Where to write it.
 * @returns The bundle's path.
 */
export async function bundleWorker(dir: string): Promise<string> {
  const outfile = path.join(dir, "instructionsWorker.bundle.mjs");
  await build({
    entryPoints: [INSTRUCTIONS_WORKER],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    logLevel: "warning",
    // CommonJS dependencies inside an ES module bundle call require().
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  return outfile;
}

/**
 * The total of callgrind's summary line (`==123== I   refs:      4,018,840,564`), or `undefined`
 * when the output has none (valgrind failed, or the program did).
 * @param stderr - What valgrind printed.
 */
export function readInstructionCount(stderr: string): number | undefined {
  const match = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  return match?.[1] === undefined ? undefined : Number(match[1].replaceAll(",", ""));
}

async function hasValgrind(): Promise<boolean> {
  try {
    await run("valgrind", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

/**
 * Scenario I: the CPU instructions one PATCH costs on the client side, stock beside ours and ours
 * without each step, with the transport replaced by an in-memory answer (see
 * bench/instructionsWorker.ts, bundled with the package). A count, not a time: runs of the same
 * code agree within 2%, where scenario O's wall-clock ratio moves by 5% or more between runs on a
 * shared machine. Skipped where valgrind is not installed.
 */
export async function instructions(): Promise<{ title: string; rows: Row[]; json: unknown }> {
  const title = `I. Client-side instructions per PATCH (callgrind, in-memory transport, ${LONG - SHORT} requests counted per client)`;
  if (!(await hasValgrind())) return { title, rows: [{ client: "skipped: valgrind is not installed" }], json: { skipped: true } };
  const perRequest = new Map<string, number>();
  const dir = await mkdtemp(path.join(os.tmpdir(), "msgraph-sus-instructions-"));
  try {
    const bundle = await bundleWorker(dir);
    for (const { id } of INSTRUCTION_CLIENTS) {
      // The two lengths of one client side by side: one per core.
      const [short, long] = await Promise.all([countInstructions(bundle, id, SHORT), countInstructions(bundle, id, LONG)]);
      perRequest.set(id, (long - short) / (LONG - SHORT));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  const stock = perRequest.get("stock") ?? Number.NaN;
  const rows = INSTRUCTION_CLIENTS.map(({ id, label }) => {
    const count = perRequest.get(id) ?? Number.NaN;
    return {
      client: label,
      "instructions/request": Math.round(count),
      "x stock": fixed(count / stock),
      "above stock": Math.round(count - stock),
    };
  });
  return { title, rows, json: { short: SHORT, long: LONG, perRequest: Object.fromEntries(perRequest) } };
}
