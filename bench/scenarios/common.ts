import {
  createTestToken,
  startGraphEmulator,
  type EmulatorFaults,
  type EmulatorStats,
  type GraphEmulator,
} from "msgraph-software-update-status/testing";
import type { GraphClient } from "msgraph-software-update-status";
import { ourClient, patchFor, stockClient } from "../lib/clients.js";
import { runPool, type PoolResult } from "../lib/runPool.js";

/** The time-scaled write limit every throttling scenario uses: 50 writes/s per tenant. */
export const WRITE_LIMIT = { limit: 50, windowMs: 1000 } as const;

/** Our throttle budget that matches {@link WRITE_LIMIT}. */
export const WRITE_BUDGET = { name: "writes", route: "/deviceManagement/", methods: "write", scope: "tenant", ...WRITE_LIMIT } as const;

/**
 * Starts an emulator with only the 50 writes/s per tenant limit, and optional faults.
 * @param faults - Fault injection.
 */
export function startLimitedEmulator(faults?: EmulatorFaults): Promise<GraphEmulator> {
  return startGraphEmulator({
    limits: [{ name: "writes per tenant", requests: "write", scope: "tenant", ...WRITE_LIMIT }],
    retryAfterFormat: "fractional-seconds",
    ...(faults === undefined ? {} : { faults }),
  });
}

/**
 * A token for a tenant of the benchmark.
 * @param tenant - Tenant id.
 */
export function tokenFor(tenant: string): string {
  return createTestToken({ tenantId: tenant, appId: "bench-app" });
}

/** What one client run measured. */
export interface UpdateRun extends PoolResult {
  /** Requests the server received. */
  readonly serverRequests: number;
  /** 429s the server sent. */
  readonly throttled: number;
  /** Updates that resolved but are missing from the server's applied log. */
  readonly lost: number;
}

/**
 * Now on the emulator's clock (its limits, schedules and applied log use it), when the emulator
 * runs in this process.
 */
export const emulatorClock = (): number => performance.timeOrigin + performance.now();

/** A client run with what the emulator saw of it. */
export interface ObservedRun {
  /** The run's figures. */
  readonly run: UpdateRun;
  /** The emulator's stats right after the run. */
  readonly stats: EmulatorStats;
  /** When the run started (right after the reset), on {@link emulatorClock}. */
  readonly startedAt: number;
}

/**
 * Counts the acknowledged updates that are missing from the server's applied log.
 * @param stats - The emulator's stats.
 * @param tenant - The tenant the updates were for.
 * @param acknowledged - Indices (see `patchFor`) of the updates that resolved.
 */
export function countLost(stats: EmulatorStats, tenant: string, acknowledged: readonly number[]): number {
  const applied = new Set(
    stats.applied.filter((update) => update.tenant === tenant).map((update) => update.patch["compliantDeviceCount"]),
  );
  return acknowledged.filter((i) => !applied.has(i)).length;
}

/**
 * Like {@link runUpdates}, and also returns the emulator's stats and when the run started.
 * @param emulator - The emulator (reset first).
 * @param client - The client under test.
 * @param count - Updates.
 * @param concurrency - At once.
 * @param tenant - The tenant the client's token names.
 * @param ordered - `update()`'s `ordered` (`false` here by default: the scenarios measure the
 *   concurrency they name, as `client.api(path).patch()` would send it); `true` keeps `update()`'s
 *   default, one client's writes to one tenant one at a time, so `concurrency` only queues them.
 */
export async function observeUpdates(
  emulator: GraphEmulator,
  client: GraphClient,
  count: number,
  concurrency: number,
  tenant: string,
  ordered = false,
): Promise<ObservedRun> {
  emulator.reset();
  const startedAt = emulatorClock();
  const acknowledged: number[] = [];
  const pool = await runPool(count, concurrency, async (i) => {
    await client.softwareUpdateStatusSummary().update(patchFor(i), { ordered });
    acknowledged.push(i);
  });
  const stats = emulator.stats();
  return {
    run: { ...pool, serverRequests: stats.requests, throttled: stats.throttled, lost: countLost(stats, tenant, acknowledged) },
    stats,
    startedAt,
  };
}

/**
 * Sends `count` PATCHes through `client` at `concurrency`, then checks with the emulator that
 * every update that resolved was applied.
 * @param emulator - The emulator (reset first).
 * @param client - The client under test.
 * @param count - Updates.
 * @param concurrency - At once.
 * @param tenant - The tenant the client's token names.
 */
export async function runUpdates(
  emulator: GraphEmulator,
  client: GraphClient,
  count: number,
  concurrency: number,
  tenant: string,
): Promise<UpdateRun> {
  return (await observeUpdates(emulator, client, count, concurrency, tenant)).run;
}

/**
 * The three clients every single-tenant scenario compares, one after the other on one emulator:
 * the stock chain, ours with no configuration, and ours with {@link WRITE_BUDGET}.
 * @param emulator - The emulator.
 * @param tenant - The tenant.
 * @param count - Updates per client.
 * @param concurrency - At once.
 * @param defaultsLabel - The label of our unconfigured client's row.
 */
export async function compareClients(
  emulator: GraphEmulator,
  tenant: string,
  count: number,
  concurrency: number,
  defaultsLabel: string,
): Promise<Array<[string, UpdateRun]>> {
  const token = tokenFor(tenant);
  return [
    ["stock (RetryHandler)", await runUpdates(emulator, stockClient(emulator, token), count, concurrency, tenant)],
    [defaultsLabel, await runUpdates(emulator, ourClient(emulator, token), count, concurrency, tenant)],
    [
      "ours, matching budget",
      await runUpdates(emulator, ourClient(emulator, token, { throttle: { budgets: [WRITE_BUDGET] } }), count, concurrency, tenant),
    ],
  ];
}
