/**
 * `npm run bench`: the stock chain and ours, side by side in one run, against the bundled emulator.
 * Prints a table per scenario and writes every figure to bench/results/latest.json.
 * Pass scenario names to run a subset, e.g. `npm run bench -- a c` or `npm run bench -- overhead`.
 * `MATRIX_FILTER` (a regular expression on scenario ids) runs part of the matrix, e.g.
 * `MATRIX_FILTER='^1\.sliding' npm run bench -- matrix`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { renderTable, type Row } from "./lib/table.js";
import { burst } from "./scenarios/burst.js";
import { instructions } from "./scenarios/instructions.js";
import { jsonBatching } from "./scenarios/jsonBatching.js";
import { multiProcess } from "./scenarios/multiProcess.js";
import { overhead } from "./scenarios/overhead.js";
import { queueMemory } from "./scenarios/queueMemory.js";
import { retryUnderFaults } from "./scenarios/retryUnderFaults.js";
import { shapeMatrix } from "./scenarios/shapeMatrix.js";
import { tenantIsolation } from "./scenarios/tenantIsolation.js";

type Scenario = () => Promise<{ title: string; rows: Row[]; json: unknown }>;
const SCENARIOS: Record<string, Scenario> = { r: retryUnderFaults, a: burst, b: tenantIsolation, c: queueMemory, d: multiProcess, e: jsonBatching, overhead, instructions, matrix: shapeMatrix };

const wanted = process.argv.slice(2).map((arg) => arg.toLowerCase());
const selected = Object.entries(SCENARIOS).filter(([name]) => wanted.length === 0 || wanted.includes(name));
const results: Record<string, unknown> = {};
const started = performance.now();
for (const [name, scenario] of selected) {
  const outcome = await scenario();
  console.log(`\n${outcome.title}\n${renderTable(outcome.rows)}`);
  results[name] = { title: outcome.title, rows: outcome.rows, details: outcome.json };
}
const report = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  durationMs: performance.now() - started,
  scenarios: results,
};
mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
const file = new URL(wanted.length === 0 ? "./results/latest.json" : "./results/partial.tmp.json", import.meta.url);
writeFileSync(file, JSON.stringify(report, null, 2) + "\n");
console.log(`\nFigures written to ${file.pathname} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
