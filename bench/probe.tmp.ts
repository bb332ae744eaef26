import { startGraphEmulator } from "msgraph-software-update-status/testing";
import { ThrottleHandler } from "msgraph-software-update-status";
import { idealMs, ourClient } from "./lib/clients.js";
import { runUpdates, tokenFor } from "./scenarios/common.js";
const [limit = 100, windowMs = 5000, count = 500, concurrency = 20] = process.argv.slice(2, 6).map(Number);
const format = (process.argv[6] ?? "seconds") as "seconds" | "fractional-seconds";
const algorithm = (process.argv[7] ?? "sliding-window") as "sliding-window";
const tenant = "probe";
const emulator = await startGraphEmulator({
  limits: [{ name: "w", requests: "write", scope: "tenant", limit, windowMs, algorithm }],
  retryAfterFormat: format,
});
const events: string[] = [];
const t0 = Date.now();
const throttle = new ThrottleHandler({ onThrottle: (e) => { if (e.reason !== "budget" && e.reason !== "concurrency" && e.reason !== "pace") events.push(`${Date.now() - t0} ${e.reason} ${e.waitMs}`); } });
const client = ourClient(emulator, tokenFor(tenant), { throttle });
const ideal = idealMs(count, limit, windowMs);
const run = await runUpdates(emulator, client, count, concurrency, tenant);
console.log(`ours ${Math.round(run.wallMs)} ms ${(run.wallMs / ideal).toFixed(2)}x failed ${run.failed} 429s ${run.throttled}`);
console.log(events.slice(0, 40).join("\n"));
console.log(JSON.stringify(throttle.stats().map((s) => s.rates), null, 0));
const applied = emulator.stats().applied; const start = applied[0]!.at;
const bins = new Map<number, number>(); for (const a of applied) { const b = Math.floor((a.at - start) / (windowMs / 5)); bins.set(b, (bins.get(b) ?? 0) + 1); }
console.log([...bins.entries()].map(([b, n]) => `${b}:${n}`).join(" "));
await emulator.close();
