import { startGraphEmulator, createTestToken } from "./lib/testing/index.js";
import { Agent, request } from "undici";
const emu = await startGraphEmulator({ limits: false });
const agent = (emu.fetchOptions as { dispatcher: Agent }).dispatcher;
const token = createTestToken({ tenantId: "contoso" });
const N = 2000, C = 200;
for (let k = 0; k < 3; k++) {
  let next = 0; const t0 = performance.now(); let ok = 0;
  await Promise.all(Array.from({ length: C }, async () => { while (next < N) { const i = next++;
    const r = await request(`${emu.url}v1.0/deviceManagement/softwareUpdateStatusSummary`, { dispatcher: agent, method: "PATCH", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ compliantDeviceCount: i }) });
    await r.body.text(); if (r.statusCode === 200) ok++; } }));
  console.log("undici.request https", ok, (performance.now() - t0).toFixed(0), "ms");
}
await emu.close();
