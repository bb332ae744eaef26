import * as api from "@opentelemetry/api";
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { expect } from "chai";
import { instruments, observeThrottle, type StatsSource } from "../../lib/telemetry/instruments.js";
import type { AdaptiveRateStats, ThrottleKeyStats } from "../../lib/throttle/ThrottleEvents.js";
import { mailboxWorkload } from "../../lib/throttle/graphWorkload.js";

/** A tenant of these tests only: handlers of other tests, still alive, report their keys too. */
const TENANT = "tenant-gauges";

/** A key's stats with what the gauges read; the rest zero. */
function keyStats(workload: string, queued: number, inFlight: number, rate: number): ThrottleKeyStats {
  const rates: AdaptiveRateStats[] = [{ requests: "read", rate, phase: "steady", ceiling: rate, decreases: 0, windowMs: undefined, concurrencyLimit: undefined }];
  const key = workload === "" ? `${TENANT}/app-1` : `${TENANT}/app-1/${workload}`;
  return { key, tenant: TENANT, app: "app-1", workload, queued, inFlight, sent: 0, throttled: 0, rejected: 0, cooldownUntil: undefined, refunding: true, rates, budgets: [] };
}

describe("telemetry: the throttle gauges", () => {
  afterEach(() => api.metrics.disable());

  it("reports a tenant and app's mailboxes as one point (queues and in flight added, the lowest rate), and adds up handlers that share a key", async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const provider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })] });
    api.metrics.setGlobalMeterProvider(provider);
    const mailboxes = Array.from({ length: 500 }, (_, i) => keyStats(mailboxWorkload(`user${i}@contoso.com`), 1, 2, 10 + i));
    // Registered for good (held weakly): they report nothing once this test is over, or later tests' gauges would read them.
    let live = true;
    const sources: StatsSource[] = [
      { stats: () => (live ? [...mailboxes, keyStats("intune", 3, 1, 5)] : []) },
      { stats: () => (live ? [keyStats("intune", 4, 2, 7)] : []) },
    ];
    for (const source of sources) observeThrottle(source);
    instruments(api);
    await provider.forceFlush();
    live = false;
    const points = new Map<string, Map<string, number>>();
    for (const resource of exporter.getMetrics())
      for (const scope of resource.scopeMetrics)
        for (const metric of scope.metrics)
          for (const point of metric.dataPoints) {
            const byKey = points.get(metric.descriptor.name) ?? new Map<string, number>();
            const key = String(point.attributes["msgraph.throttle.key"]);
            if (key.startsWith(`${TENANT}/`)) byKey.set(key, point.value as number);
            points.set(metric.descriptor.name, byKey);
          }
    const expected = (mail: number, intune: number): Map<string, number> =>
      new Map([
        [`${TENANT}/app-1/outlook`, mail],
        [`${TENANT}/app-1/intune`, intune],
      ]);
    expect(points.get("msgraph.client.throttle.queue_depth")).to.deep.equal(expected(500, 7));
    expect(points.get("msgraph.client.throttle.in_flight")).to.deep.equal(expected(1000, 3));
    expect(points.get("msgraph.client.throttle.rate")).to.deep.equal(expected(10, 5));
  });
});
