import type { Attributes, Counter, Histogram, Meter, MeterProvider } from "@opentelemetry/api";
import type { ThrottleKeyStats } from "../throttle/ThrottleEvents.js";
import { workloadClass } from "../throttle/graphWorkload.js";
import type { OpenTelemetry } from "./openTelemetry.js";

/** The instrumentation scope name of every span and metric. */
export const SCOPE = "msgraph-software-update-status";

/** The package's instruments on one meter. */
export interface Instruments {
  readonly attempts: Counter;
  readonly throttled: Counter;
  readonly retries: Counter;
  readonly giveUps: Counter;
  readonly queueTime: Histogram;
}

/** Something whose per-key stats feed the gauges: a `ThrottleHandler`. */
export interface StatsSource {
  stats(): ThrottleKeyStats[];
}

// Throttle handlers of live clients, held weakly: a client that is dropped stops being observed.
const sources = new Set<WeakRef<StatsSource>>();
let cached: { provider: MeterProvider; instruments: Instruments } | undefined;

/**
 * Adds a throttle handler whose `stats()` the queue-depth, in-flight and rate gauges report.
 * @param source - The handler.
 */
export function observeThrottle(source: StatsSource): void {
  sources.add(new WeakRef(source));
}

/**
 * The instruments on the current global meter provider, made again when the provider changed
 * (a meter from the no-op provider stays no-op forever, so one taken early would never record).
 * @param api - The OpenTelemetry API.
 */
export function instruments(api: OpenTelemetry): Instruments {
  const provider = api.metrics.getMeterProvider();
  if (cached?.provider === provider) return cached.instruments;
  const meter = provider.getMeter(SCOPE);
  const made: Instruments = {
    attempts: meter.createCounter("msgraph.client.attempts", { description: "HTTP attempts sent (each retry counts)", unit: "{attempt}" }),
    throttled: meter.createCounter("msgraph.client.throttled", { description: "429 responses received", unit: "{response}" }),
    retries: meter.createCounter("msgraph.client.retries", { description: "Retries scheduled, by reason", unit: "{retry}" }),
    giveUps: meter.createCounter("msgraph.client.give_ups", { description: "Calls the retry handler stopped retrying, by reason", unit: "{call}" }),
    queueTime: meter.createHistogram("msgraph.client.throttle.queue_time", { description: "Time an attempt waited in the throttle before it was sent", unit: "s" }),
  };
  observeGauges(meter);
  cached = { provider, instruments: made };
  return made;
}

function observeGauges(meter: Meter): void {
  const queued = meter.createObservableGauge("msgraph.client.throttle.queue_depth", { description: "Requests waiting in the throttle, per key", unit: "{request}" });
  const inFlight = meter.createObservableGauge("msgraph.client.throttle.in_flight", { description: "Requests in flight, per key", unit: "{request}" });
  const rate = meter.createObservableGauge("msgraph.client.throttle.rate", { description: "The adaptive rate learned from 429s, per key", unit: "{request}/s" });
  meter.addBatchObservableCallback(
    (result) => {
      for (const [name, point] of gaugePoints()) {
        const attributes: Attributes = { "msgraph.throttle.key": name };
        result.observe(queued, point.queued, attributes);
        result.observe(inFlight, point.inFlight, attributes);
        for (const [requests, value] of point.rates) result.observe(rate, value, { ...attributes, "msgraph.throttle.requests": requests });
      }
    },
    [queued, inFlight, rate],
  );
}

/** One gauge point: a key's (or its mailboxes') queue, requests in flight, and lowest rate per route class. */
interface GaugePoint {
  queued: number;
  inFlight: number;
  readonly rates: Map<string, number>;
}

/**
 * The live handlers' keys as gauge points, one per attribute set. A tenant and app's mailboxes are
 * one point, `…/outlook` (queues and requests in flight added up, the lowest rate: the mailbox
 * held back most): a key per mailbox would be a time series per mailbox, thousands for an app
 * that reads mail, past what metric backends keep (OpenTelemetry SDKs cap an instrument at 2,000
 * attribute sets by default). Handlers that share a key (two clients of one app) add up too: an
 * observable gauge keeps one value per attribute set, so the second would hide the first.
 */
function gaugePoints(): Map<string, GaugePoint> {
  const points = new Map<string, GaugePoint>();
  for (const ref of sources) {
    const source = ref.deref();
    if (source === undefined) {
      sources.delete(ref);
      continue;
    }
    for (const key of source.stats()) {
      // The key with its workload replaced by the workload's class (`…/outlook` for a mailbox).
      const group = workloadClass(key.workload);
      const name = group === key.workload ? key.key : `${key.key.slice(0, key.key.length - key.workload.length)}${group}`;
      let point = points.get(name);
      if (point === undefined) points.set(name, (point = { queued: 0, inFlight: 0, rates: new Map() }));
      point.queued += key.queued;
      point.inFlight += key.inFlight;
      for (const r of key.rates) point.rates.set(r.requests, Math.min(r.rate, point.rates.get(r.requests) ?? Number.POSITIVE_INFINITY));
    }
  }
  return points;
}
