import { expect } from "chai";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

// Loads the real CommonJS build in a fresh process (`npm run build`, run by `npm test`), where the
// module cache shows exactly what was loaded.
const root = fileURLToPath(new URL("../..", import.meta.url));

const SCRIPT = `
const { createGraphClient } = require("./dist/cjs/index.js");
const { startGraphEmulator, staticTokenProvider, createTestToken } = require("./dist/cjs/testing/index.js");
const loaded = () => Object.keys(require.cache).filter((file) => file.includes("@opentelemetry")).length;
(async () => {
  const emu = await startGraphEmulator({ limits: false });
  const client = () => createGraphClient({
    authProvider: staticTokenProvider(createTestToken({ tenantId: "t" })),
    baseUrl: emu.url, customHosts: [emu.host], fetchOptions: emu.fetchOptions,
  });
  await client().softwareUpdateStatusSummary().get();
  const before = loaded();
  // An SDK registers (here the metrics one); from then on the package loads the API and reports.
  const { metrics } = require("@opentelemetry/api");
  const { MeterProvider, InMemoryMetricExporter, PeriodicExportingMetricReader, AggregationTemporality } = require("@opentelemetry/sdk-metrics");
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const provider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3600000 })] });
  metrics.setGlobalMeterProvider(provider);
  await client().softwareUpdateStatusSummary().get();
  await provider.forceFlush();
  const names = exporter.getMetrics().flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)));
  await provider.shutdown();
  await emu.close();
  process.stdout.write(JSON.stringify({ before, names }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

describe("telemetry: loading", () => {
  it("loads no @opentelemetry module until an SDK is registered, then reports without a restart", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["-e", SCRIPT], { cwd: root });
    const { before, names } = JSON.parse(stdout) as { before: number; names: string[] };
    expect(before, "@opentelemetry modules loaded before an SDK registered").to.equal(0);
    expect(names).to.include("msgraph.client.attempts");
  });
});
