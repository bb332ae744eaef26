import { Client } from "@microsoft/microsoft-graph-client";
import { startGraphEmulator, createTestToken, staticTokenProvider } from "./lib/testing/index.js";
const t0 = performance.now();
const emu = await startGraphEmulator();
console.log("start ms", performance.now() - t0, emu.url);
const token = createTestToken({ tenantId: "contoso", appId: "app1" });
const client = Client.init({ authProvider: (done) => done(null, token), baseUrl: emu.url, customHosts: new Set([emu.host]), fetchOptions: emu.fetchOptions });
console.log(await client.api("/deviceManagement/softwareUpdateStatusSummary").get());
console.log(await client.api("/deviceManagement/softwareUpdateStatusSummary").version("beta").patch({ "@odata.type": "#microsoft.graph.softwareUpdateStatusSummary", compliantDeviceCount: 5, displayName: "x" }));
console.log(await client.api("/deviceManagement/softwareUpdateStatusSummary").select(["compliantDeviceCount"]).get());
try { await client.api("/deviceManagement/softwareUpdateStatusSummary").patch({ id: "x", foo: 1, complaintDeviceCount: 2 }); } catch (e) { console.log("err", (e as Error).message, (e as {statusCode:number}).statusCode, (e as {code:string}).code); }
const c2 = Client.initWithMiddleware({ authProvider: staticTokenProvider("tenant-b"), baseUrl: emu.url, customHosts: new Set([emu.host]), fetchOptions: emu.fetchOptions });
console.log(await c2.api("/deviceManagement/softwareUpdateStatusSummary").get());
console.log(emu.stats());
const t1 = performance.now();
await emu.close();
console.log("close ms", performance.now() - t1);
