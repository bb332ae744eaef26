import { startGraphEmulator, createTestToken } from "./lib/testing/index.js";
const proto = (process.argv[4] ?? "https") as "https" | "http";
const emu = await startGraphEmulator({ limits: false, protocol: proto });
const token = createTestToken({ tenantId: "contoso" });
const N = Number(process.argv[2] ?? 2000), C = Number(process.argv[3] ?? 200);
async function run() {
  let next = 0; let ok = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, async () => {
    while (next < N) {
      const i = next++;
      const r = await fetch(`${emu.url}v1.0/deviceManagement/softwareUpdateStatusSummary`, { ...emu.fetchOptions, method: "PATCH", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ compliantDeviceCount: i }) });
      await r.text(); if (r.status === 200) ok++;
    }
  }));
  const ms = performance.now() - t0;
  console.log(`${proto} ${ok}/${N} ok in ${ms.toFixed(0)} ms = ${(N / ms * 1000).toFixed(0)} req/s; maxConcurrent ${emu.stats().maxConcurrent}`);
}
await run();
await emu.close();
