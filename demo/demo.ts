/**
 * The main job: pushes softwareUpdateStatusSummary updates for several tenants through
 * `createGraphClient` against the bundled emulator (Intune limits, time-scaled, with light
 * faults), shows live progress and throttle state, reads every tenant back with `get()`, checks
 * the result against what the server applied, and prints a summary table.
 *
 * Run with `npm run demo`. No account or network is needed.
 */
import { AuthenticationHandlerOptions } from "@microsoft/microsoft-graph-client";
import cliProgress from "cli-progress";
import {
  createGraphClient,
  ResilientRetryHandler,
  ThrottleHandler,
  type SoftwareUpdateStatusSummaryPatch,
  type ThrottleKeyStats,
} from "msgraph-software-update-status";
import { createTestToken, startGraphEmulator, staticTokenProvider } from "msgraph-software-update-status/testing";
import { renderTable } from "../bench/lib/table.js";
import { runPool } from "../bench/lib/runPool.js";

/** 20 s Intune windows become 1 s, so the demo takes seconds, not minutes. */
const TIME_SCALE = 0.05;
const UPDATES_PER_TENANT = 250;
const CONCURRENCY_PER_TENANT = 40;
const TENANTS = ["contoso", "fabrikam", "northwind", "adventure-works"] as const;
const APP_ID = "11111111-2222-3333-4444-555555555555";

function patchFor(tenant: string, i: number): SoftwareUpdateStatusSummaryPatch {
  return {
    displayName: `${tenant} rollout #${i}`,
    compliantDeviceCount: 1000 + i,
    nonCompliantDeviceCount: i % 17,
    errorDeviceCount: i % 5,
    compliantUserCount: 400 + i,
    nonCompliantUserCount: i % 11,
  };
}

function throttleLabel(stats: ThrottleKeyStats | undefined): Record<string, string | number> {
  if (stats === undefined) return { queued: 0, inFlight: 0, budget: "-", cooldown: "-" };
  const busiest = [...stats.budgets].sort((a, b) => b.used / b.limit - a.used / a.limit)[0];
  // cooldownUntil is on the throttle's monotonic clock, which a wall-clock step does not move.
  const cooldownMs = stats.cooldownUntil === undefined ? 0 : Math.max(0, Math.round(stats.cooldownUntil - (performance.timeOrigin + performance.now())));
  return {
    queued: stats.queued,
    inFlight: stats.inFlight,
    budget: busiest === undefined ? "-" : `${busiest.used}/${busiest.limit} ${busiest.name}`,
    cooldown: cooldownMs > 0 ? `${cooldownMs} ms` : "-",
  };
}

async function main(): Promise<void> {
  const emulator = await startGraphEmulator({
    timeScale: TIME_SCALE,
    retryAfterFormat: "fractional-seconds",
    faults: { seed: 42, unavailableWithRetryAfter: 0.01, unavailable: 0.01, gatewayTimeout: 0.01, connectionReset: 0.005, latencyMs: { min: 1, max: 10 } },
  });
  const tenants = TENANTS.map((name) => ({
    name,
    tenantId: `${name}-tenant-id`,
    auth: new AuthenticationHandlerOptions(staticTokenProvider(createTestToken({ tenantId: `${name}-tenant-id`, appId: APP_ID }))),
  }));

  const retry = new ResilientRetryHandler({ baseDelayMs: 100, maxDelayMs: 2000 });
  // The presets are Intune's documented limits; the emulator scales its windows, so scale ours too.
  const throttle = new ThrottleHandler({ presets: "always", presetTimeScale: TIME_SCALE });
  const client = createGraphClient({
    authProvider: staticTokenProvider(createTestToken({ tenantId: "default-tenant", appId: APP_ID })),
    baseUrl: emulator.url,
    customHosts: [emulator.host],
    fetchOptions: emulator.fetchOptions,
    retry,
    throttle,
  });

  console.log(`Graph emulator on ${emulator.url} (Intune limits, windows x${TIME_SCALE}, seeded faults)`);
  console.log(`Pushing ${UPDATES_PER_TENANT} updates to each of ${tenants.length} tenants, ${CONCURRENCY_PER_TENANT} at a time per tenant\n`);

  const bars = new cliProgress.MultiBar(
    {
      format: " {tenant} {bar} {value}/{total} | queued {queued} | in flight {inFlight} | {budget} | cooldown {cooldown}",
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 1000,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  const started = performance.now();
  const keyOf = (tenantId: string): ThrottleKeyStats | undefined => throttle.stats().find((s) => s.tenant === tenantId);
  const results = await Promise.all(
    tenants.map(async (tenant) => {
      const bar = bars.create(UPDATES_PER_TENANT, 0, { tenant: tenant.name.padEnd(16), ...throttleLabel(undefined) });
      const tenantStarted = performance.now();
      const timer = setInterval(() => bar.update(throttleLabel(keyOf(tenant.tenantId))), 100);
      const outcome = await runPool(
        UPDATES_PER_TENANT,
        CONCURRENCY_PER_TENANT,
        (i) =>
          client.softwareUpdateStatusSummary().update(patchFor(tenant.name, i), {
            middlewareOptions: [tenant.auth],
          }),
        () => bar.increment(1, throttleLabel(keyOf(tenant.tenantId))),
      );
      clearInterval(timer);
      bar.update(throttleLabel(keyOf(tenant.tenantId)));
      return { tenant, outcome, elapsedMs: performance.now() - tenantStarted };
    }),
  );
  bars.stop();
  const elapsedMs = performance.now() - started;

  // Read every tenant back and check it against the last update the server applied.
  const applied = emulator.stats().applied;
  let mismatches = 0;
  for (const { tenant } of results) {
    const summary = await client.softwareUpdateStatusSummary().get({ middlewareOptions: [tenant.auth] });
    const last = [...applied].reverse().find((update) => update.tenant === tenant.tenantId);
    const same = last !== undefined && Object.entries(last.patch).every(([k, v]) => (summary as Record<string, unknown>)[k] === v);
    if (!same) mismatches++;
    console.log(`  ${tenant.name.padEnd(16)} read back: "${summary.displayName}", compliantDeviceCount ${summary.compliantDeviceCount} ${same ? "(matches the last applied update)" : "(MISMATCH)"}`);
  }

  const server = emulator.stats();
  const rows = results.map(({ tenant, outcome, elapsedMs: ms }) => {
    const stats = keyOf(tenant.tenantId);
    return {
      tenant: tenant.name,
      "updates ok": outcome.succeeded,
      failed: outcome.failed,
      requests: stats?.sent ?? 0,
      "429s received": stats?.throttled ?? 0,
      // Every request beyond one per settled update was a retry.
      retries: (stats?.sent ?? 0) - outcome.succeeded - outcome.failed,
      "elapsed s": (ms / 1000).toFixed(2),
    };
  });
  const total = rows.reduce(
    (sum, row) => ({
      tenant: "total",
      "updates ok": sum["updates ok"] + row["updates ok"],
      failed: sum.failed + row.failed,
      requests: sum.requests + row.requests,
      "429s received": sum["429s received"] + row["429s received"],
      retries: sum.retries + row.retries,
      "elapsed s": (elapsedMs / 1000).toFixed(2),
    }),
    { tenant: "total", "updates ok": 0, failed: 0, requests: 0, "429s received": 0, retries: 0, "elapsed s": "" },
  );
  console.log("\n" + renderTable([...rows, total]));
  const faults = Object.entries(server.byStatus)
    .filter(([status]) => status !== "200")
    .map(([status, n]) => `${status}: ${n}`)
    .join(", ");
  console.log(`\nServer saw ${server.requests} requests (${faults || "no faults"}); max concurrent ${server.maxConcurrent}.`);
  await emulator.close();
  const failed = total.failed + mismatches;
  if (failed > 0) {
    console.error(`\n${total.failed} updates failed, ${mismatches} tenants read back wrong.`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
