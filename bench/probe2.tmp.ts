import { startGraphEmulator } from "msgraph-software-update-status/testing";
import { ThrottleHandler } from "msgraph-software-update-status";
import { ourClient, patchFor } from "./lib/clients.js";
import { runPool } from "./lib/runPool.js";
import { tokenFor } from "./scenarios/common.js";
const L = Number(process.env.L ?? 50), W = Number(process.env.W ?? 1000), N = Number(process.argv[2] ?? 400);
const mode = process.argv[3] ?? "halved";
const emulator = await startGraphEmulator({
  limits: [{ name: "w", requests: "write", scope: "tenant", limit: L, windowMs: W, algorithm: "sliding-window",
    ...(mode === "halved" ? { schedule: [{ fromMs: W, untilMs: 3 * W, limit: L / 2 }] } : {}),
    ...(mode === "noRA" ? { retryAfter: "none" as never } : {}) }],
  retryAfterFormat: "seconds",
});
const t0 = Date.now();
const log: string[] = [];
const throttle = new ThrottleHandler({ onThrottle: (e) => { if (e.reason === "cooldown") log.push(`${Date.now() - t0} cooldown ${e.waitMs}`); } });
const client = ourClient(emulator, tokenFor("p2"), { throttle });
let last = "";
const timer = setInterval(() => { const r = throttle.stats()[0]?.rates[0]; const s = r ? `${r.phase} rate ${r.rate.toFixed(1)} ceil ${r.ceiling?.toFixed(1)} W ${r.windowMs} dec ${r.decreases}` : ""; if (s !== last) { log.push(`${Date.now() - t0} ${s}`); last = s; } }, 50);
emulator.reset();
const run = await runPool(N, 20, (i) => client.softwareUpdateStatusSummary().update(patchFor(i), { ordered: false }));
clearInterval(timer);
console.log(`wall ${Math.round(run.wallMs)} failed ${run.failed} 429s ${emulator.stats().throttled}`);
console.log(log.join("\n"));
const applied = emulator.stats().applied; const start = applied[0]!.at;
const bins = new Map<number, number>(); for (const a of applied) { const b = Math.floor((a.at - start) / W); bins.set(b, (bins.get(b) ?? 0) + 1); }
console.log([...bins.entries()].map(([b, n]) => `${b}:${n}`).join(" "));
await emulator.close();
