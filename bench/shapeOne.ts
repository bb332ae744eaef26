/**
 * One throttling shape, stock client beside ours (no configuration): a sliding window of 100 per
 * 5 s, 500 PATCHes at concurrency 20, by default. Prints time / ideal and 429s per update.
 *
 *   npm run build && node --import tsx bench/shapeOne.ts [limit] [windowMs] [count] [concurrency] [retryAfterFormat]
 *
 * Timings on a shared, loaded machine are noisy: run it a few times.
 */
import { startGraphEmulator } from "msgraph-software-update-status/testing";
import { idealMs, ourClient, stockClient } from "./lib/clients.js";
import { runUpdates, tokenFor } from "./scenarios/common.js";

const [limit = 100, windowMs = 5000, count = 500, concurrency = 20] = process.argv.slice(2, 6).map(Number);
const format = (process.argv[6] ?? "seconds") as "seconds" | "fractional-seconds";
const tenant = "shape-one";
const emulator = await startGraphEmulator({
  limits: [{ name: "writes per tenant", requests: "write", scope: "tenant", limit, windowMs }],
  retryAfterFormat: format,
});
try {
  const ideal = idealMs(count, limit, windowMs);
  console.log(`sliding window ${limit} per ${windowMs} ms, ${count} PATCHes, concurrency ${concurrency}, Retry-After ${format}; ideal ${ideal} ms`);
  for (const [name, client] of [
    ["stock", stockClient(emulator, tokenFor(tenant))],
    ["ours", ourClient(emulator, tokenFor(tenant))],
  ] as const) {
    const run = await runUpdates(emulator, client, count, concurrency, tenant);
    const perUpdate = (run.throttled / count).toFixed(3);
    console.log(`${name.padEnd(6)} ${String(Math.round(run.wallMs)).padStart(6)} ms  ${(run.wallMs / ideal).toFixed(2)}× ideal  failed ${run.failed}  429s/update ${perUpdate}`);
  }
} finally {
  await emulator.close();
}
