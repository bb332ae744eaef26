/**
 * The scenario matrix (issue 10, item 5): the stock client and ours with no configuration against
 * many throttling shapes, one after the other on a fresh emulator per scenario, one tenant.
 * `MATRIX_FILTER` (a regular expression, or a substring when it is not one) picks scenarios by id.
 * Updates go with `ordered: false`, so a run's concurrency reaches the server; `MATRIX_ORDERED=1`
 * keeps `update()`'s default (one client's writes to one tenant one at a time).
 */
import {
  startGraphEmulator,
  type EmulatorFaults,
  type EmulatorLimit,
  type EmulatorRateLimit,
  type EmulatorStats,
  type GraphEmulator,
} from "msgraph-software-update-status/testing";
import { ourClient, stockClient } from "../lib/clients.js";
import {
  concurrencyFloorMs,
  fixedWindowFloorMs,
  scheduledSlidingFloorMs,
  slidingWindowFloorMs,
  tokenBucketFloorMs,
  type LimitPhase,
} from "../lib/ideal.js";
import { binCounts, binsUntil, within } from "../lib/recovery.js";
import { fixed, type Row } from "../lib/table.js";
import { observeUpdates, tokenFor } from "./common.js";
import { runFleet, type FleetVariant } from "./multiProcess.js";

/** A client of the matrix: stock, ours in one process, or a fleet of ours without / with Redis. */
type ClientKind = "stock" | "ours" | "ours, no Redis" | "ours, Redis";

/** One scenario: one limit on a fresh emulator, the same updates for every client. */
interface MatrixScenario {
  readonly id: string;
  readonly limit: EmulatorLimit;
  /** The emulator's time scale (windows and schedules shrink; `Retry-After` values are real seconds). */
  readonly timeScale?: number;
  readonly faults?: EmulatorFaults;
  /** Updates in all. */
  readonly count: number;
  /** In flight, per process. */
  readonly concurrency: number;
  /** A fleet of forked processes sharing the updates; one process when unset. */
  readonly processes?: number;
  readonly clients: readonly ClientKind[];
  /** Left out of the full matrix (time), run only when `MATRIX_FILTER` picks it. */
  readonly extra?: boolean;
}

/** What one client run of a scenario measured. */
interface ClientResult {
  readonly client: ClientKind;
  readonly failed: number;
  readonly lost: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly throttled: number;
  readonly serverRequests: number;
  readonly byStatus: Readonly<Record<string, number>>;
  /** What the limit counted: the requests the floor is for. */
  readonly counted: number;
  readonly wallMs: number;
  readonly idealMs: number;
  /** Halved-limit scenarios: applied updates per window after the halving and after the restore. */
  readonly recovery?: Recovery;
}

/** Recovery from a halved limit, in windows (`undefined`: not reached while the run had work). */
interface Recovery {
  readonly halvedBins: readonly number[];
  readonly restoredBins: readonly number[];
  /** Windows after the halving until a window's throughput is within 10% of the halved limit. */
  readonly halvedWindows: number | undefined;
  /** Windows after the restore until a window's throughput is at least 90% of the restored limit. */
  readonly restoredWindows: number | undefined;
}

const TENANT = "tenant-matrix";
// Unordered by default: the throttle serves all of a backend's traffic, so the concurrency a row names must reach the server.
const ORDERED = process.env["MATRIX_ORDERED"] === "1";
const LIMIT_NAME = "writes per tenant";
// The schedule of the halved-limit scenarios, in windows from the start: halved for two windows.
const HALVED_FROM = 1;
const HALVED_UNTIL = 3;
// The targets of issue 10: full throughput within this many windows after the restore.
const RESTORE_TARGET_WINDOWS = 5;
const HALVED_TARGET_WINDOWS = 2;

// A rate limit on the tenant's writes: a sliding window unless `extra` says otherwise.
const sliding = (limit: number, windowMs: number, extra: Partial<EmulatorRateLimit> = {}): EmulatorRateLimit => ({
  name: LIMIT_NAME,
  requests: "write",
  scope: "tenant",
  algorithm: "sliding-window",
  limit,
  windowMs,
  ...extra,
});

// Each run is about four windows of ideal time: five windows' worth of updates.
function scenarios(): MatrixScenario[] {
  const single: readonly ClientKind[] = ["stock", "ours"];
  const fleet: readonly ClientKind[] = ["stock", "ours, no Redis", "ours, Redis"];
  const list: MatrixScenario[] = [];
  // 1. Shapes × windows, concurrency 20. The 20 s window runs at timeScale 0.1 (2 s real).
  for (const [label, windowMs, limit, timeScale] of [
    ["1s", 1000, 50, 1],
    ["5s", 5000, 100, 1],
    ["20s@x0.1", 20_000, 200, 0.1],
  ] as const) {
    const scaled = timeScale === 1 ? {} : { timeScale };
    list.push({ id: `1.sliding.${label}`, limit: sliding(limit, windowMs), count: 5 * limit, concurrency: 20, clients: single, ...scaled });
    list.push({
      id: `1.fixed.${label}`,
      limit: sliding(limit, windowMs, { algorithm: "fixed-window" }),
      count: 5 * limit,
      concurrency: 20,
      clients: single,
      ...scaled,
    });
    list.push({
      id: `1.token.${label}`,
      limit: sliding(limit, windowMs, { algorithm: "token-bucket", burst: limit }),
      count: 5 * limit,
      concurrency: 20,
      clients: single,
      ...scaled,
    });
  }
  // 2. Retry-After variants on the sliding 5 s window.
  for (const [label, retryAfter] of [
    ["fractional", "fractional-seconds"],
    ["always-2s", { fixedSeconds: 2 }],
    ["missing", "none"],
  ] as const) {
    list.push({ id: `2.retry-after-${label}.sliding.5s`, limit: sliding(100, 5000, { retryAfter }), count: 500, concurrency: 20, clients: single });
  }
  // 3. A concurrency limit with latency: 8 in flight, 100 ms each (ordered writes go one at a time: 16 s).
  list.push({
    id: "3.concurrency-8.latency-100ms",
    limit: { name: LIMIT_NAME, requests: "write", scope: "tenant", algorithm: "concurrency", limit: 8 },
    faults: { latencyMs: 100 },
    count: 160,
    concurrency: 20,
    clients: single,
  });
  // 4. Concurrency 200.
  list.push({ id: "4.c200.sliding.5s", limit: sliding(100, 5000), count: 500, concurrency: 200, clients: single });
  list.push({
    id: "4.c200.token.5s",
    limit: sliding(100, 5000, { algorithm: "token-bucket", burst: 100 }),
    count: 500,
    concurrency: 200,
    clients: single,
  });
  // 5. Four processes at concurrency 20 each.
  list.push({ id: "5.fleet4.sliding.1s", limit: sliding(40, 1000), count: 200, concurrency: 20, processes: 4, clients: fleet });
  list.push({ id: "5.fleet4.sliding.5s", limit: sliding(100, 5000), count: 500, concurrency: 20, processes: 4, clients: fleet });
  list.push({
    id: "5.fleet4.token.1s",
    limit: sliding(40, 1000, { algorithm: "token-bucket", burst: 40 }),
    count: 200,
    concurrency: 20,
    processes: 4,
    clients: fleet,
    extra: true,
  });
  // 6. 10% 503/504 faults, counted by the server or not.
  for (const countFaulted of [true, false]) {
    list.push({
      id: `6.faults-10pct-${countFaulted ? "counted" : "uncounted"}.sliding.1s`,
      limit: sliding(50, 1000, { countFaulted }),
      faults: { unavailable: 0.05, gatewayTimeout: 0.05 },
      count: 250,
      concurrency: 20,
      clients: single,
    });
  }
  // 7. Halved for two windows, then restored: one window at L, two at L/2, then enough for five at L.
  for (const [label, windowMs, limit] of [
    ["5s", 5000, 100],
    ["1s", 1000, 50],
  ] as const) {
    const schedule = [{ fromMs: HALVED_FROM * windowMs, untilMs: HALVED_UNTIL * windowMs, limit: limit / 2 }];
    list.push({ id: `7.halved.sliding.${label}`, limit: sliding(limit, windowMs, { schedule }), count: 7 * limit, concurrency: 20, clients: single });
  }
  // 8. Latency with jitter.
  list.push({ id: "8.latency-20-120ms.sliding.5s", limit: sliding(100, 5000), faults: { latencyMs: { min: 20, max: 120 } }, count: 500, concurrency: 20, clients: single });
  // 9. Extra shapes (run with MATRIX_FILTER='^9\.'): ones that showed wrong inferences when tried,
  // and run lengths that are no whole number of windows (a limit read one short costs a window less).
  list.push({
    id: "9.token-small-burst.25-per-1s",
    limit: sliding(25, 1000, { algorithm: "token-bucket", burst: 5 }),
    count: 600,
    concurrency: 20,
    clients: single,
    extra: true,
  });
  list.push({ id: "9.retry-after-always-1s.sliding.2s", limit: sliding(60, 2000, { retryAfter: { fixedSeconds: 1 } }), count: 210, concurrency: 20, clients: single, extra: true });
  list.push({
    id: "9.latency-50-300ms.sliding.1s",
    limit: sliding(50, 1000),
    faults: { latencyMs: { min: 50, max: 300 } },
    count: 175,
    concurrency: 30,
    clients: single,
    extra: true,
  });
  // A token bucket behind real latency: slow start's first refusal finds as many requests in flight
  // as the round trip holds, and a bucket's saved tokens make a rate above its own look sustained.
  list.push({
    id: "9.token.latency-100ms.5s",
    limit: sliding(100, 5000, { algorithm: "token-bucket", burst: 100 }),
    faults: { latencyMs: 100 },
    count: 500,
    concurrency: 20,
    clients: single,
    extra: true,
  });
  list.push({ id: "9.sliding.60s@x0.1", limit: sliding(120, 60_000), timeScale: 0.1, count: 420, concurrency: 20, clients: single, extra: true });
  return list;
}

/**
 * Picks scenarios by id: `filter` as a case-insensitive regular expression, or as a substring
 * when it is not a valid one; with no filter, every scenario but the extra ones.
 * @param all - Every scenario.
 * @param filter - `MATRIX_FILTER`, if set.
 */
function pick(all: readonly MatrixScenario[], filter: string | undefined): MatrixScenario[] {
  if (filter === undefined || filter === "") return all.filter((scenario) => scenario.extra !== true);
  let matches: (id: string) => boolean;
  try {
    const pattern = new RegExp(filter, "i");
    matches = (id) => pattern.test(id);
  } catch {
    matches = (id) => id.includes(filter);
  }
  return all.filter((scenario) => matches(scenario.id));
}

/**
 * The floor for what the server counted, in real ms.
 * @param scenario - The scenario.
 * @param stats - The emulator's stats after the run.
 * @param startedAt - When the run started, on the emulator's clock (fixed windows align to it).
 */
function floorMs(scenario: MatrixScenario, stats: EmulatorStats, startedAt: number): number {
  const { limit } = scenario;
  const counted = stats.limits[LIMIT_NAME]?.counted ?? scenario.count;
  if (limit.algorithm === "concurrency") {
    const latency = scenario.faults?.latencyMs ?? 0;
    const mean = typeof latency === "number" ? latency : (latency.min + latency.max) / 2;
    return concurrencyFloorMs(counted, limit.limit, mean);
  }
  const windowMs = limit.windowMs * (scenario.timeScale ?? 1);
  switch (limit.algorithm) {
    case "fixed-window":
      return fixedWindowFloorMs(counted, limit.limit, windowMs, startedAt % windowMs);
    case "token-bucket":
      return tokenBucketFloorMs(counted, limit.limit, windowMs, limit.burst ?? limit.limit);
    default: {
      const phases: LimitPhase[] = (limit.schedule ?? []).map((phase) => ({
        fromMs: phase.fromMs * (scenario.timeScale ?? 1),
        untilMs: (phase.untilMs ?? Infinity) * (scenario.timeScale ?? 1),
        limit: phase.limit,
      }));
      return phases.length === 0
        ? slidingWindowFloorMs(counted, limit.limit, windowMs)
        : scheduledSlidingFloorMs(counted, limit.limit, windowMs, phases);
    }
  }
}

/**
 * Per-window throughput after the halving and after the restore of a scheduled limit. Only whole
 * windows that ended while the run still had work count.
 * @param scenario - A scenario whose limit has a schedule.
 * @param stats - The emulator's stats after the run.
 * @param startedAt - When the run started, on the emulator's clock (the schedule counts from the reset).
 * @param wallMs - How long the run took.
 */
function recoveryOf(scenario: MatrixScenario, stats: EmulatorStats, startedAt: number, wallMs: number): Recovery | undefined {
  const { limit } = scenario;
  const phase = limit.schedule?.[0];
  if (limit.algorithm === "concurrency" || phase === undefined) return undefined;
  const scale = scenario.timeScale ?? 1;
  const windowMs = limit.windowMs * scale;
  const times = stats.applied.map((update) => update.at);
  const halvedAt = startedAt + phase.fromMs * scale;
  const restoredAt = startedAt + (phase.untilMs ?? Infinity) * scale;
  const endedAt = startedAt + wallMs;
  const wholeBins = (from: number, most: number): number => Math.max(0, Math.min(most, Math.floor((endedAt - from) / windowMs)));
  const halvedBins = binCounts(times, halvedAt, windowMs, wholeBins(halvedAt, Math.round((restoredAt - halvedAt) / windowMs)));
  const restoredBins = binCounts(times, restoredAt, windowMs, wholeBins(restoredAt, RESTORE_TARGET_WINDOWS + 3));
  return {
    halvedBins,
    restoredBins,
    halvedWindows: binsUntil(halvedBins, (count) => within(count, phase.limit, 0.1)),
    restoredWindows: binsUntil(restoredBins, (count) => count >= 0.9 * limit.limit),
  };
}

/**
 * Runs one client of a scenario on its emulator.
 * @param emulator - The scenario's emulator.
 * @param scenario - The scenario.
 * @param client - Which client.
 */
async function runClient(emulator: GraphEmulator, scenario: MatrixScenario, client: ClientKind): Promise<ClientResult> {
  let outcome: { failed: number; lost: number; errors: Readonly<Record<string, number>>; wallMs: number; stats: EmulatorStats; startedAt: number };
  if (scenario.processes === undefined) {
    const token = tokenFor(TENANT);
    const made = client === "stock" ? stockClient(emulator, token) : ourClient(emulator, token);
    const { run, stats, startedAt } = await observeUpdates(emulator, made, scenario.count, scenario.concurrency, TENANT, ORDERED);
    outcome = { failed: run.failed, lost: run.lost, errors: run.errors, wallMs: run.wallMs, stats, startedAt };
  } else {
    const variant: FleetVariant = client === "stock" ? "stock" : client === "ours, Redis" ? "redis" : "memory";
    const run = await runFleet(emulator, {
      variant,
      tenant: TENANT,
      processes: scenario.processes,
      perProcess: Math.ceil(scenario.count / scenario.processes),
      concurrency: scenario.concurrency,
      budget: "adaptive",
      ordered: ORDERED,
    });
    const errors: Record<string, number> = {};
    for (const result of run.perProcess) for (const [name, n] of Object.entries(result.errors)) errors[name] = (errors[name] ?? 0) + n;
    outcome = { failed: run.failed, lost: run.lost, errors, wallMs: run.wallMs, stats: run.stats, startedAt: run.startedAt };
  }
  const { stats, startedAt, wallMs } = outcome;
  const recovery = recoveryOf(scenario, stats, startedAt, wallMs);
  return {
    client,
    failed: outcome.failed,
    lost: outcome.lost,
    errors: outcome.errors,
    throttled: stats.throttled,
    serverRequests: stats.requests,
    byStatus: stats.byStatus,
    counted: stats.limits[LIMIT_NAME]?.counted ?? scenario.count,
    wallMs,
    idealMs: floorMs(scenario, stats, startedAt),
    ...(recovery === undefined ? {} : { recovery }),
  };
}

/**
 * Whether ours meets issue 10's targets: "✓", or "✗" and the reasons.
 * @param result - Our run.
 * @param stock - The stock run of the same scenario.
 * @param count - Updates sent.
 */
function verdict(result: ClientResult, stock: ClientResult | undefined, count: number): string {
  if (result.client === "stock") return "-";
  const reasons: string[] = [];
  // A fleet without a shared store cannot see the others' requests: looser targets.
  const [maxPerUpdate, maxRatio] = result.client === "ours, no Redis" ? [0.05, 1.3] : [0.01, 1.1];
  if (result.failed > 0) reasons.push(`${result.failed} failed`);
  if (result.lost > 0) reasons.push(`${result.lost} lost`);
  if (result.throttled / count > maxPerUpdate) reasons.push(`429s/update > ${maxPerUpdate}`);
  if (result.idealMs > 0 && result.wallMs / result.idealMs > maxRatio) reasons.push(`> ${maxRatio}x ideal`);
  if (result.client === "ours" && stock !== undefined && stock.failed === 0 && result.wallMs > stock.wallMs) reasons.push("slower than stock");
  const recovery = result.recovery;
  if (recovery !== undefined) {
    if ((recovery.halvedWindows ?? Infinity) > HALVED_TARGET_WINDOWS) reasons.push(`halved: not within 10% in ${HALVED_TARGET_WINDOWS} windows`);
    if ((recovery.restoredWindows ?? Infinity) > RESTORE_TARGET_WINDOWS) reasons.push(`restored: not 90% in ${RESTORE_TARGET_WINDOWS} windows`);
  }
  return reasons.length === 0 ? "✓" : `✗ ${reasons.join(", ")}`;
}

function recoveryCell(recovery: Recovery | undefined): string {
  if (recovery === undefined) return "-";
  const show = (windows: number | undefined, of: number): string => (windows === undefined ? `>${of}` : String(windows));
  return `${show(recovery.halvedWindows, recovery.halvedBins.length)} / ${show(recovery.restoredWindows, recovery.restoredBins.length)}`;
}

/** The matrix scenario: every shape, stock beside ours with no configuration. */
export async function shapeMatrix(): Promise<{ title: string; rows: Row[]; json: unknown }> {
  const selected = pick(scenarios(), process.env["MATRIX_FILTER"]);
  // MATRIX_CLIENTS: a pattern of our clients to run (the stock client always runs: targets compare with it).
  const clientPattern = process.env["MATRIX_CLIENTS"];
  const clientFilter = clientPattern === undefined ? undefined : new RegExp(clientPattern);
  const rows: Row[] = [];
  const details: Record<string, { scenario: MatrixScenario; results: ClientResult[] }> = {};
  for (const scenario of selected) {
    const emulator = await startGraphEmulator({
      limits: [scenario.limit],
      retryAfterFormat: "seconds",
      ...(scenario.timeScale === undefined ? {} : { timeScale: scenario.timeScale }),
      ...(scenario.faults === undefined ? {} : { faults: scenario.faults }),
    });
    const results: ClientResult[] = [];
    try {
      for (const client of scenario.clients) {
        if (clientFilter !== undefined && client !== "stock" && !clientFilter.test(client)) continue;
        results.push(await runClient(emulator, scenario, client));
        // A full matrix runs for minutes: say where it is (stderr, so the tables stay clean).
        const last = results.at(-1);
        if (last !== undefined) console.error(`matrix: ${scenario.id} ${client}: ${(last.wallMs / 1000).toFixed(1)} s, ${last.failed} failed`);
      }
    } finally {
      await emulator.close();
    }
    details[scenario.id] = { scenario, results };
    const stock = results.find((result) => result.client === "stock");
    for (const result of results) {
      rows.push({
        scenario: scenario.id,
        client: result.client,
        failed: result.failed,
        lost: result.lost,
        "429s/update": fixed(result.throttled / scenario.count, 3),
        "wall s": fixed(result.wallMs / 1000),
        "ideal s": fixed(result.idealMs / 1000),
        "time/ideal": result.idealMs > 0 ? fixed(result.wallMs / result.idealMs) : "n/a",
        "recovery (windows)": recoveryCell(result.recovery),
        targets: verdict(result, stock, scenario.count),
      });
    }
  }
  return {
    title: [
      "(matrix) Throttling shapes: stock (RetryHandler) vs ours with no configuration, one tenant, 5 windows' worth of PATCHes (ideal about 4 windows).",
      ORDERED
        ? "update() with ordered writes (MATRIX_ORDERED=1): one client's (process's) PATCHes to the tenant go one at a time, whatever the concurrency."
        : "update() with ordered: false: PATCHes go at the run's concurrency (MATRIX_ORDERED=1: update()'s default, one at a time per tenant).",
      "Retry-After in whole seconds (rounded up, as Graph sends) unless the id says otherwise. 20s@x0.1: a 20 s window at emulator timeScale 0.1 (2 s real;",
      "Retry-After stays in real seconds, so its rounding is 10x coarser relative to the window than on Graph). Ideal: the floor for what the limit counted",
      "(sliding (ceil(N/L)-1)W; fixed: that minus the start's offset into its window; token bucket (N-burst)/rate; concurrency N x latency / C).",
      `Recovery (7.*): windows after the halving until one is within 10% of L/2 / after the restore until one reaches 90% of L (targets ${HALVED_TARGET_WINDOWS} / ${RESTORE_TARGET_WINDOWS}).`,
      "Targets (ours): 0 failed/lost; 1 process or Redis fleet <= 0.01 429s/update, <= 1.10x ideal, not slower than stock when stock failed none; fleet without Redis <= 0.05, <= 1.3x.",
    ].join("\n"),
    rows,
    json: { ordered: ORDERED, scenarios: details },
  };
}
