import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { idealMs } from "../lib/clients.js";
import type { PoolResult } from "../lib/runPool.js";
import { fixed, type Row } from "../lib/table.js";
import { startLimitedEmulator, tokenFor, WRITE_LIMIT } from "./common.js";

const PROCESSES = 4;
const PER_PROCESS = 250;
const CONCURRENCY = 50;
const WORKER = fileURLToPath(new URL("../processWorker.ts", import.meta.url));

type Variant = "stock" | "memory" | "redis";

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

/** Scenario (d): several processes share one tenant's limit: stock, our in-memory store per process, our Redis store. */
export async function multiProcess(): Promise<{ title: string; rows: Row[]; json: unknown }> {
  const emulator = await startLimitedEmulator();
  const tenant = "tenant-fleet";
  const total = PROCESSES * PER_PROCESS;
  const ideal = idealMs(total, WRITE_LIMIT.limit, WRITE_LIMIT.windowMs);
  const redisUrl = process.env["REDIS_URL"] ?? "redis://127.0.0.1:6379";
  const results: Record<string, unknown> = {};
  const rows: Row[] = [];
  const labels: Record<Variant, string> = {
    stock: "stock (RetryHandler)",
    memory: "ours, in-memory store per process",
    redis: "ours, Redis store",
  };
  try {
    for (const variant of ["stock", "memory", "redis"] as const) {
      emulator.reset();
      // One prefix per run, shared by every process of the run: that is what makes them share a budget.
      const keyPrefix = `msgraph-sus-bench:${process.pid}:${variant}:${Date.now()}:`;
      const children = Array.from({ length: PROCESSES }, (_, p) =>
        fork(WORKER, [], {
          execArgv: ["--import", "tsx"],
          env: {
            ...process.env,
            BENCH_WORKER: JSON.stringify({
              variant,
              url: emulator.url,
              host: emulator.host,
              ca: emulator.ca,
              token: tokenFor(tenant),
              count: PER_PROCESS,
              offset: p * PER_PROCESS,
              concurrency: CONCURRENCY,
              redisUrl,
              keyPrefix,
              ...WRITE_LIMIT,
            }),
          },
          stdio: ["ignore", "inherit", "inherit", "ipc"],
        }),
      );
      try {
        await Promise.all(children.map((child) => once(child, "ready")));
        const started = performance.now();
        const done = children.map((child) => once<{ result: PoolResult }>(child, "done"));
        for (const child of children) child.send("go");
        const outcomes = (await Promise.all(done)).map((message) => message.result);
        const wallMs = performance.now() - started;
        const failed = outcomes.reduce((sum, r) => sum + r.failed, 0);
        const stats = emulator.stats();
        results[variant] = { wallMs, failed, throttled: stats.throttled, serverRequests: stats.requests, perProcess: outcomes };
        rows.push({
          client: labels[variant],
          "updates failed": failed,
          "429s": stats.throttled,
          "429s/update": fixed(stats.throttled / total, 3),
          "server requests": stats.requests,
          "wall s": fixed(wallMs / 1000),
          "x ideal": fixed(wallMs / ideal),
        });
      } finally {
        for (const child of children) if (child.exitCode === null) child.kill();
      }
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
