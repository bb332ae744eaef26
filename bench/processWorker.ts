/**
 * One process of the multi-process scenarios ((d) and the matrix's fleet rows). It builds its client, says "ready", waits for
 * "go" so every process starts at the same moment, sends its share of PATCHes, and reports.
 */
import { Agent } from "undici";
import { Redis } from "ioredis";
import { createGraphClient, extendClient, ThrottleHandler, type GraphClient } from "msgraph-software-update-status";
import { createRedisThrottleStore } from "msgraph-software-update-status/redis";
import { staticTokenProvider } from "msgraph-software-update-status/testing";
import { Client } from "@microsoft/microsoft-graph-client";
import { patchFor } from "./lib/clients.js";
import { runPool } from "./lib/runPool.js";

interface WorkerConfig {
  readonly variant: "stock" | "memory" | "redis";
  readonly url: string;
  readonly host: string;
  readonly ca: string;
  readonly token: string;
  readonly count: number;
  readonly offset: number;
  readonly concurrency: number;
  readonly limit: number;
  readonly windowMs: number;
  readonly redisUrl: string;
  readonly keyPrefix: string;
  /** Ours with no budget (the adaptive throttle learns the limit) rather than a budget of `limit` per `windowMs`. */
  readonly adaptive?: boolean;
  /** `update()`'s `ordered` (`false` by default: the concurrency named reaches the chain). */
  readonly ordered?: boolean;
}

const config = JSON.parse(process.env["BENCH_WORKER"] ?? "{}") as WorkerConfig;
const fetchOptions = { dispatcher: new Agent({ connect: { ca: config.ca } }) } as RequestInit;
const redis = config.variant === "redis" ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 }) : undefined;

let throttle: ThrottleHandler | undefined;

function makeClient(): GraphClient {
  if (config.variant === "stock") {
    return extendClient(
      Client.init({ authProvider: (done) => done(null, config.token), baseUrl: config.url, customHosts: new Set([config.host]), fetchOptions }),
    );
  }
  const store = redis === undefined ? undefined : createRedisThrottleStore(redis, { keyPrefix: config.keyPrefix });
  const budget = { name: "writes", route: "/deviceManagement/", methods: "write", scope: "tenant", limit: config.limit, windowMs: config.windowMs } as const;
  return createGraphClient({
    authProvider: staticTokenProvider(config.token),
    baseUrl: config.url,
    customHosts: [config.host],
    fetchOptions,
    throttle: (throttle = new ThrottleHandler({
      ...(config.adaptive === true ? {} : { budgets: [budget] }),
      ...(store === undefined ? {} : { store }),
    })),
  });
}

const client = makeClient();
process.on("message", async (message) => {
  if (message !== "go") return;
  // The indices of acknowledged updates let the parent check them against the applied log.
  const acknowledged: number[] = [];
  // BENCH_TRACE=1: what this process's throttle has learned, every 250 ms (BENCH_TRACE_MS), on stderr (for tuning).
  const started = performance.now();
  const trace =
    process.env["BENCH_TRACE"] === "1"
      ? setInterval(() => {
          for (const key of throttle?.stats() ?? []) {
            const rate = key.rates?.[0];
            process.stderr.write(`trace ${config.offset} t=${Math.round(performance.now() - started)} sent=${key.sent} 429=${key.throttled} q=${key.queued} f=${key.inFlight} rate=${rate?.rate.toFixed(1)} w=${rate?.windowMs ?? "-"} c=${rate?.ceiling?.toFixed(1)} d=${rate?.decreases} ${rate?.phase ?? ""}\n`);
          }
        }, Number(process.env["BENCH_TRACE_MS"] ?? 250))
      : undefined;
  const result = await runPool(config.count, config.concurrency, async (i) => {
    await client.softwareUpdateStatusSummary().update(patchFor(config.offset + i), { ordered: config.ordered ?? false });
    acknowledged.push(config.offset + i);
  });
  clearInterval(trace);
  process.send?.({ type: "done", result, acknowledged });
  await redis?.quit();
  process.disconnect?.();
});
process.send?.({ type: "ready" });
