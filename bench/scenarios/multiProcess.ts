import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { idealMs } from "../lib/clients.js";
import type { EmulatorStats, GraphEmulator } from "msgraph-software-update-status/testing";
import type { PoolResult } from "../lib/runPool.js";
import { fixed, type Row } from "../lib/table.js";
import { countLost, emulatorClock, startLimitedEmulator, tokenFor, WRITE_LIMIT } from "./common.js";

const PROCESSES = 4;
const PER_PROCESS = 250;
const CONCURRENCY = 50;
const WORKER = fileURLToPath(new URL("../processWorker.ts", import.meta.url));

/** A fleet's client: the stock chain, ours with an in-memory store per process, ours sharing a Redis store. */
export type FleetVariant = "stock" | "memory" | "redis";

/** How a fleet runs. */
export interface FleetOptions {
  readonly variant: FleetVariant;
  readonly tenant: string;
  readonly processes: number;
  readonly perProcess: number;
  /** In flight per process. */
  readonly concurrency: number;
  /** Ours: a budget of this limit (per `windowMs`), or none at all (`adaptive`). */
  readonly budget: { readonly limit: number; readonly windowMs: number } | "adaptive";
  /** `update()`'s `ordered` (see `observeUpdates`). @default false */
  readonly ordered?: boolean;
}

/** What a fleet run measured. */
export interface FleetRun {
  /** From "go" until the last process reported. */
  readonly wallMs: number;
  readonly failed: number;
  /** Acknowledged updates missing from the applied log. */
  readonly lost: number;
  readonly perProcess: readonly PoolResult[];
  /** The emulator's stats right after the run. */
  readonly stats: EmulatorStats;
  /** When "go" was sent, on the emulator's clock. */
  readonly startedAt: number;
}

function once<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string } & Record<string, unknown>): void => {
      if (message.type === type) {
        child.off("message", onMessage);
        resolve(message as T);
      }
    };
    child.on("message", onMessage);
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before "${type}"`)));
  });
}

/**
 * Forks `processes` workers that each send `perProcess` PATCHes for one tenant, starting together,
 * after resetting the emulator. Redis runs get a key prefix of their own, shared by their processes.
 * @param emulator - The emulator (in this process).
 * @param options - The fleet.
 */
export async function runFleet(emulator: GraphEmulator, options: FleetOptions): Promise<FleetRun> {
  const { variant, processes, perProcess } = options;
  emulator.reset();
  // One prefix per run, shared by every process of the run: that is what makes them share a budget.
  const keyPrefix = `msgraph-sus-bench:${process.pid}:${variant}:${Date.now()}:`;
  const budget = options.budget === "adaptive" ? { adaptive: true, ...WRITE_LIMIT } : options.budget;
  const children = Array.from({ length: processes }, (_, p) =>
    fork(WORKER, [], {
      execArgv: ["--import", "tsx"],
      env: {
        ...process.env,
        BENCH_WORKER: JSON.stringify({
          variant,
          url: emulator.url,
          host: emulator.host,
          ca: emulator.ca,
          token: tokenFor(options.tenant),
          count: perProcess,
          offset: p * perProcess,
          concurrency: options.concurrency,
          redisUrl: process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379",
          keyPrefix,
          ordered: options.ordered ?? false,
          ...budget,
        }),
      },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    }),
  );
  try {
    await Promise.all(children.map((child) => once(child, "ready")));
    const started = performance.now();
    const startedAt = emulatorClock();
    const done = children.map((child) => once<{ result: PoolResult; acknowledged: number[] }>(child, "done"));
    for (const child of children) child.send("go");
    const messages = await Promise.all(done);
    const wallMs = performance.now() - started;
    const stats = emulator.stats();
    const perProcessResults = messages.map((message) => message.result);
    return {
      wallMs,
      failed: perProcessResults.reduce((sum, r) => sum + r.failed, 0),
      lost: countLost(stats, options.tenant, messages.flatMap((message) => message.acknowledged)),
      perProcess: perProcessResults,
      stats,
      startedAt,
    };
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill();
  }
}

/** Scenario (d): several processes share one tenant's limit: stock, our in-memory store per process, our Redis store. */
export async function multiProcess(): Promise<{ title: string; rows: Row[]; json: unknown }> {
  const emulator = await startLimitedEmulator();
  const tenant = "tenant-fleet";
  const total = PROCESSES * PER_PROCESS;
  const ideal = idealMs(total, WRITE_LIMIT.limit, WRITE_LIMIT.windowMs);
  const results: Record<string, unknown> = {};
  const rows: Row[] = [];
  const labels: Record<FleetVariant, string> = {
    stock: "stock (RetryHandler)",
    memory: "ours, in-memory store per process",
    redis: "ours, Redis store",
  };
  try {
    for (const variant of ["stock", "memory", "redis"] as const) {
      const run = await runFleet(emulator, {
        variant,
        tenant,
        processes: PROCESSES,
        perProcess: PER_PROCESS,
        concurrency: CONCURRENCY,
        budget: WRITE_LIMIT,
      });
      const { stats, wallMs, failed } = run;
      results[variant] = { wallMs, failed, lost: run.lost, throttled: stats.throttled, serverRequests: stats.requests, perProcess: run.perProcess };
      rows.push({
        client: labels[variant],
        "updates failed": failed,
        "429s": stats.throttled,
        "429s/update": fixed(stats.throttled / total, 3),
        "server requests": stats.requests,
        "wall s": fixed(wallMs / 1000),
        "x ideal": fixed(wallMs / ideal),
      });
    }
  } finally {
    await emulator.close();
  }
  return {
    title: `(d) Fleet: ${PROCESSES} processes x ${PER_PROCESS} PATCHes at concurrency ${CONCURRENCY}, one tenant, limit 50 writes/s (ideal ${fixed(ideal / 1000)} s)`,
    rows,
    json: { processes: PROCESSES, perProcess: PER_PROCESS, concurrency: CONCURRENCY, idealMs: ideal, results },
  };
}
