import { expect } from "chai";
import { metrics, trace, type Attributes } from "@opentelemetry/api";
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import { isOpenTelemetryRegistered, openTelemetry } from "../../lib/telemetry/openTelemetry.js";
import { createTestToken, startGraphEmulator, staticTokenProvider, type GraphEmulator } from "../../lib/testing/index.js";

const TOKEN = createTestToken({ tenantId: "contoso", appId: "app-1" });
const SUMMARY = "/deviceManagement/softwareUpdateStatusSummary";
const CALLS = 15;

/** Every metric of a collection by name, with its data points' attributes and values. */
function byName(collected: readonly ResourceMetrics[]): Map<string, { type: DataPointType; points: { attributes: Attributes; value: unknown }[] }> {
  const found = new Map<string, { type: DataPointType; points: { attributes: Attributes; value: unknown }[] }>();
  for (const resource of collected) {
    for (const scope of resource.scopeMetrics) {
      for (const metric of scope.metrics) {
        const entry = found.get(metric.descriptor.name) ?? { type: metric.dataPointType, points: [] };
        for (const point of metric.dataPoints) entry.points.push({ attributes: point.attributes, value: point.value });
        found.set(metric.descriptor.name, entry);
      }
    }
  }
  return found;
}

const sum = (points: readonly { value: unknown }[]): number => points.reduce((total, p) => total + (p.value as number), 0);

describe("telemetry: OpenTelemetry spans and metrics (emulator over HTTP)", function () {
  this.timeout(30_000);
  let emu: GraphEmulator | undefined;
  let spans: InMemorySpanExporter;
  let metricExporter: InMemoryMetricExporter;
  let meterProvider: MeterProvider;

  afterEach(async () => {
    await emu?.close();
    emu = undefined;
    trace.disable();
    metrics.disable();
  });

  function register(): void {
    spans = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 })] });
    metrics.setGlobalMeterProvider(meterProvider);
  }

  async function collect(): Promise<ReturnType<typeof byName>> {
    await meterProvider.forceFlush();
    // Cumulative values: the latest export alone holds everything so far.
    const exported = metricExporter.getMetrics();
    metricExporter.reset();
    return byName(exported);
  }

  it("loads nothing and emits nothing while no SDK is registered", async () => {
    expect(isOpenTelemetryRegistered()).to.equal(false);
    expect(openTelemetry()).to.equal(undefined);
    emu = await startGraphEmulator({ limits: false });
    const client = createGraphClient({ authProvider: staticTokenProvider(TOKEN), baseUrl: emu.url, customHosts: [emu.host], fetchOptions: emu.fetchOptions });
    await client.softwareUpdateStatusSummary().get();
    expect(openTelemetry()).to.equal(undefined);
  });

  it("records call and attempt spans and the throttle/retry metrics of a throttled run, with no token anywhere", async () => {
    register();
    emu = await startGraphEmulator({
      timeScale: 0.05,
      retryAfterFormat: "fractional-seconds",
      limits: [{ name: "tiny", algorithm: "sliding-window", requests: "any", scope: "tenant", limit: 5, windowMs: 1000 }],
    });
    const throttle = new ThrottleHandler();
    const client = createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: emu.url,
      customHosts: [emu.host],
      fetchOptions: emu.fetchOptions,
      retry: { maxRetries: 8, baseDelayMs: 5, maxDelayMs: 50 },
      throttle,
    });

    // A burst the server limits: the throttle queues, the server answers some 429s, the retry handler retries.
    const calls = Array.from({ length: CALLS }, () => client.softwareUpdateStatusSummary().get());
    await new Promise((resolve) => setTimeout(resolve, 30));
    const midRun = await collect();
    await Promise.all(calls);
    // A token in the URL too: it must come out redacted.
    await client.api(`${SUMMARY}?access_token=${TOKEN}`).get().catch(() => undefined);
    // And one call that gives up: every attempt answers 503.
    emu.setFaults({ unavailable: 1 });
    const failing = createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: emu.url,
      customHosts: [emu.host],
      fetchOptions: emu.fetchOptions,
      retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 2 },
      throttle: false,
    });
    await failing.softwareUpdateStatusSummary().get().catch(() => undefined);
    const server = emu.stats();
    const collected = await collect();
    const finished: readonly ReadableSpan[] = spans.getFinishedSpans();

    // Spans: one INTERNAL span per call, one CLIENT span per attempt under it.
    const callSpans = finished.filter((s) => s.kind === 0);
    const attemptSpans = finished.filter((s) => s.kind === 2);
    expect(callSpans).to.have.length(CALLS + 2);
    expect(attemptSpans).to.have.length(server.requests);
    const callIds = new Set(callSpans.map((s) => s.spanContext().spanId));
    for (const attempt of attemptSpans) {
      expect(callIds.has(attempt.parentSpanContext?.spanId ?? "")).to.equal(true);
      expect(attempt.attributes["http.request.method"]).to.equal("GET");
      expect(attempt.attributes["server.address"]).to.equal("127.0.0.1");
      expect(attempt.attributes["url.full"]).to.match(/^https?:\/\/127\.0\.0\.1:\d+\/v1\.0\/deviceManagement\/softwareUpdateStatusSummary/);
      expect(attempt.attributes["http.request.header.client-request-id"]).to.have.length(1);
    }
    const throttled = attemptSpans.filter((s) => s.attributes["http.response.status_code"] === 429);
    expect(throttled.length, "429 attempts").to.equal(server.throttled).and.be.above(0);
    for (const s of throttled) expect(s.attributes["error.type"]).to.equal("429");
    const retried = attemptSpans.filter((s) => typeof s.attributes["http.request.resend_count"] === "number");
    expect(retried.length).to.be.above(0);
    const ok = attemptSpans.filter((s) => s.attributes["http.response.status_code"] === 200);
    for (const s of ok) expect(s.attributes["http.response.header.request-id"]).to.have.length(1);
    const gaveUp = callSpans.find((s) => s.attributes["error.type"] === "503");
    expect(gaveUp, "the call that gave up").to.not.equal(undefined);
    expect(attemptSpans.filter((s) => s.parentSpanContext?.spanId === gaveUp?.spanContext().spanId)).to.have.length(2);

    // Metrics: attempts, 429s, retries and give-ups by reason, queue time, gauges from stats().
    const attempts = collected.get("msgraph.client.attempts");
    expect(sum(attempts?.points ?? [])).to.equal(server.requests);
    expect(sum(collected.get("msgraph.client.throttled")?.points ?? [])).to.equal(server.throttled);
    const retries = collected.get("msgraph.client.retries")?.points ?? [];
    expect(sum(retries)).to.equal(server.requests - (CALLS + 2));
    expect(retries.map((p) => p.attributes["msgraph.retry.reason"])).to.include("status");
    const giveUps = collected.get("msgraph.client.give_ups")?.points ?? [];
    expect(giveUps.map((p) => [p.attributes["msgraph.give_up.reason"], p.value])).to.deep.include(["max-retries", 1]);
    const queueTime = collected.get("msgraph.client.throttle.queue_time");
    expect(queueTime?.type).to.equal(DataPointType.HISTOGRAM);
    const histogram = queueTime?.points.map((p) => p.value as { count: number; max?: number }) ?? [];
    // Every attempt of the throttled client passed the throttle (the give-up client has none).
    expect(histogram.reduce((n, h) => n + h.count, 0)).to.equal(server.requests - 2);
    expect(Math.max(...histogram.map((h) => h.max ?? 0))).to.be.above(0);
    const depth = midRun.get("msgraph.client.throttle.queue_depth")?.points ?? [];
    expect(depth.map((p) => p.attributes["msgraph.throttle.key"])).to.include("contoso/app-1/intune");
    expect(Math.max(...depth.map((p) => p.value as number))).to.be.above(0);
    expect(midRun.get("msgraph.client.throttle.in_flight")?.points.length).to.be.above(0);
    const rate = collected.get("msgraph.client.throttle.rate")?.points ?? [];
    expect(rate.length).to.be.above(0);
    expect(rate[0]?.value).to.be.a("number").and.above(0);
    expect(throttle.stats()[0]?.key).to.equal("contoso/app-1/intune");

    // Never a token: not in a span attribute, an event, a status, nor a metric attribute.
    const everything = JSON.stringify([
      finished.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })),
      [...collected.values(), ...midRun.values()].map((m) => m.points.map((p) => p.attributes)),
    ]);
    expect(everything).to.contain("REDACTED");
    expect(everything).not.to.contain(TOKEN);
    expect(everything).not.to.contain(TOKEN.split(".")[1]);
    expect(everything.toLowerCase()).not.to.contain("bearer");
  });
});
