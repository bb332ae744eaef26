/**
 * One client's PATCH loop for scenario I (instructions): bench/scenarios/instructions.ts bundles it
 * with the built package into one file and runs that under valgrind, with no loader beside it.
 *
 * The transport is replaced by an in-memory answer (a fresh `Response` per request, as `fetch`
 * gives), so what is counted is the client side: the request builder, the middleware chain and
 * the reading of the answer.
 *
 * Environment: INSTR_CLIENT (stock | ours | ours-no-retry | ours-no-throttle), INSTR_COUNT, and
 * INSTR_REPORT=1 to print what was sent and answered (the suite's check that the loop works).
 */
import { Client } from "@microsoft/microsoft-graph-client";
import { createGraphClient, type CreateGraphClientOptions } from "msgraph-software-update-status";
import { createTestToken } from "msgraph-software-update-status/testing";
// Internal constants of the package (not public API): the bench lives in this repository.
import { SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE, SOFTWARE_UPDATE_STATUS_SUMMARY_PATH } from "../lib/entity/softwareUpdateStatusSummaryMetadata.js";
import { patchFor } from "./lib/clients.js";

// Not a Graph host, as in scenario O: the Intune presets stay out of it, as they do against the emulator.
const HOST = "graph.bench.invalid";
const BODY = JSON.stringify({
  "@odata.context": `https://${HOST}/v1.0/$metadata#deviceManagement/softwareUpdateStatusSummary/$entity`,
  "@odata.type": SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE,
  id: "0e5c8e2b-softwareUpdateStatusSummary",
  displayName: "bench",
  compliantDeviceCount: 1,
});
// Worked out once: only the `Response` is made per request, as a transport makes it.
const BODY_BYTES = String(new TextEncoder().encode(BODY).byteLength);

globalThis.fetch = (async () =>
  new Response(BODY, {
    status: 200,
    headers: { "content-type": "application/json", "content-length": BODY_BYTES, "request-id": "bench" },
  })) as typeof fetch;

// The learned rate would pace an in-memory transport (tens of thousands of answers a second) at
// its slow start; a throttle with its adaptive mode off still runs every step of the chain.
const OUR_STEPS: Readonly<Record<string, Partial<CreateGraphClientOptions>>> = {
  ours: { throttle: { adaptive: false } },
  "ours-no-retry": { retry: false, throttle: { adaptive: false } },
  "ours-no-throttle": { throttle: false },
};

const token = createTestToken({ tenantId: "tenant-instructions", appId: "bench-app" });
const variant = process.env["INSTR_CLIENT"] ?? "ours";
const count = Number(process.env["INSTR_COUNT"] ?? 1000);

function sender(): (i: number) => Promise<unknown> {
  if (variant === "stock") {
    const client = Client.init({ authProvider: (done) => done(null, token), baseUrl: `https://${HOST}`, customHosts: new Set([HOST]) });
    return (i) => client.api(SOFTWARE_UPDATE_STATUS_SUMMARY_PATH).patch({ "@odata.type": SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE, ...patchFor(i) });
  }
  const steps = OUR_STEPS[variant];
  if (steps === undefined) throw new Error(`INSTR_CLIENT: unknown client ${variant}`);
  const client = createGraphClient({ authProvider: { getAccessToken: async () => token }, baseUrl: `https://${HOST}`, customHosts: [HOST], ...steps });
  return (i) => client.softwareUpdateStatusSummary().update(patchFor(i));
}

const send = sender();
let answered = 0;
for (let i = 0; i < count; i++) {
  const entity = await send(i);
  // The stock client parses the body; ours returns the typed entity.
  if (typeof entity === "object" && entity !== null && "id" in entity) answered += 1;
}
if (process.env["INSTR_REPORT"] === "1") process.stdout.write(JSON.stringify({ client: variant, sent: count, answered }));
