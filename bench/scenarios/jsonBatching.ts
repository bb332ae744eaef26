import { BatchRequestContent, BatchResponseContent, Client } from "@microsoft/microsoft-graph-client";
import { sendBatch, type BatchRequestItem } from "msgraph-software-update-status";
import { startGraphEmulator, type GraphEmulator } from "msgraph-software-update-status/testing";
import { idealMs, ourClient } from "../lib/clients.js";
import { fixed, type Row } from "../lib/table.js";
import { tokenFor } from "./common.js";

const TIME_SCALE = 0.05;
const TENANTS = ["tenant-batch-1", "tenant-batch-2", "tenant-batch-3", "tenant-batch-4"];
const PER_TENANT = 500;
const BATCH_SIZE = 20;
/** Batches in flight at once per tenant, for both clients. */
const CONCURRENCY = 4;
/** 10% of sub-requests faulted: 503 with Retry-After, 503 without, 504. */
const FAULTS = { unavailableWithRetryAfter: 0.04, unavailable: 0.03, gatewayTimeout: 0.03, unavailableRetryAfterSeconds: 0.05, appliesTo: "writes", seed: 7 } as const;
const SUMMARY_URL = "/deviceManagement/softwareUpdateStatusSummary";
const RETRYABLE = new Set([429, 502, 503, 504]);

/** The PATCH sub-requests of one tenant; `compliantDeviceCount` tells them apart in the applied log. */
function requestsFor(tenantIndex: number): BatchRequestItem[] {
  return Array.from({ length: PER_TENANT }, (_, i) => ({
    id: String(i),
    method: "PATCH",
    url: SUMMARY_URL,
    headers: { "Content-Type": "application/json" },
    body: { compliantDeviceCount: tenantIndex * 100_000 + i },
  }));
}

/** What each request's final answer was, as the client reported it. */
type Reported = Map<string, number>;

async function runOurs(emulator: GraphEmulator, tenantIndex: number): Promise<Reported> {
  const client = ourClient(emulator, tokenFor(TENANTS[tenantIndex] as string), {
    throttle: { presets: "always", presetTimeScale: TIME_SCALE },
    // The backoff for faults without Retry-After is scaled like the limits' windows.
    batch: { baseDelayMs: 200 * TIME_SCALE },
  });
  const results = await sendBatch(client, requestsFor(tenantIndex), { concurrency: CONCURRENCY });
  return new Map([...results].map(([id, result]) => [id, result.status]));
}

/** The stock client, as the Graph docs show batching: BatchRequestContent of 20, its RetryHandler, nothing more. */
async function runStock(emulator: GraphEmulator, tenantIndex: number): Promise<Reported> {
  const token = tokenFor(TENANTS[tenantIndex] as string);
  const client = Client.init({
    authProvider: (done) => done(null, token),
    baseUrl: emulator.url,
    customHosts: new Set([emulator.host]),
    fetchOptions: emulator.fetchOptions,
  });
  const requests = requestsFor(tenantIndex);
  const reported: Reported = new Map();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests.length) {
      const chunk = requests.slice(next, next + BATCH_SIZE);
      next += BATCH_SIZE;
      const content = new BatchRequestContent(
        chunk.map((item) => ({
          id: item.id,
          // BatchRequestContent turns a Graph URL into the relative one a batch carries (as with real Graph).
          request: new Request(`https://graph.microsoft.com/v1.0${item.url}`, {
            method: item.method,
            headers: item.headers,
            body: JSON.stringify(item.body),
          }),
        })),
      );
      try {
        const response = new BatchResponseContent(await client.api("/$batch").post(await content.getContent()));
        for (const [id, answer] of response.getResponses()) reported.set(id, answer.status);
      } catch {
        for (const item of chunk) reported.set(item.id, 0);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return reported;
}

async function measure(emulator: GraphEmulator, run: (emulator: GraphEmulator, tenantIndex: number) => Promise<Reported>): Promise<Row & Record<string, number | string>> {
  emulator.reset();
  const started = performance.now();
  const reported = await Promise.all(TENANTS.map((_, i) => run(emulator, i)));
  const wallMs = performance.now() - started;
  const stats = emulator.stats();
  let lost = 0;
  let failed = 0;
  let retryableFailed = 0;
  reported.forEach((answers, t) => {
    const applied = new Set(stats.applied.filter((u) => u.tenant === TENANTS[t]).map((u) => u.patch["compliantDeviceCount"]));
    for (const [id, status] of answers) {
      const ok = status >= 200 && status < 300;
      if (ok && !applied.has(t * 100_000 + Number(id))) lost += 1;
      if (!ok) failed += 1;
      if (!ok && (RETRYABLE.has(status) || status === 0)) retryableFailed += 1;
    }
  });
  // The floor the limits allow for what the server counted, per tenant (the binding limit wins).
  const ideal = Math.max(
    ...Object.values(stats.limits).map((limit) =>
      limit.windowMs === undefined ? 0 : idealMs(Math.ceil(limit.counted / TENANTS.length), limit.limit, limit.windowMs),
    ),
  );
  const updates = TENANTS.length * PER_TENANT;
  return {
    "wall s": fixed(wallMs / 1000),
    "ideal s": fixed(ideal / 1000),
    // Below one window's worth the limits allow everything at once: no floor to compare with.
    "x ideal": ideal > 0 ? fixed(wallMs / ideal) : "-",
    applied: stats.applied.length,
    failed,
    "retryable failed": retryableFailed,
    lost,
    "429s/update": fixed(stats.throttled / updates, 3),
    "HTTP requests": stats.requests,
  };
}

/** Scenario (e): 2,000 PATCH sub-requests in JSON batches across 4 tenants, Intune's limits (time-scaled), 10% faulted. */
export async function jsonBatching(): Promise<{ title: string; rows: Row[]; json: unknown }> {
  const emulator = await startGraphEmulator({ timeScale: TIME_SCALE, faults: FAULTS, retryAfterFormat: "fractional-seconds" });
  try {
    const stock = await measure(emulator, runStock);
    const ours = await measure(emulator, runOurs);
    return {
      title:
        `(e) JSON batching: ${TENANTS.length * PER_TENANT} PATCHes in batches of ${BATCH_SIZE} over ${TENANTS.length} tenants, ` +
        `Intune write limits x${TIME_SCALE}, 10% of sub-requests faulted`,
      rows: [
        { client: "stock (BatchRequestContent)", ...stock },
        { client: "ours (sendBatch)", ...ours },
      ],
      json: { timeScale: TIME_SCALE, faults: FAULTS, perTenant: PER_TENANT, concurrency: CONCURRENCY, stock, ours },
    };
  } finally {
    await emulator.close();
  }
}
