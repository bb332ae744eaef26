import type { Attributes, Counter, Histogram, Meter, MeterProvider } from "@opentelemetry/api";
import type { ThrottleKeyStats } from "../throttle/ThrottleEvents.js";
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
      for (const ref of sources) {
        const source = ref.deref();
        if (source === undefined) {
          sources.delete(ref);
          continue;
        }
        for (const key of source.stats()) {
          const attributes: Attributes = { "msgraph.throttle.key": key.key };
          result.observe(queued, key.queued, attributes);
          result.observe(inFlight, key.inFlight, attributes);
          for (const r of key.rates) result.observe(rate, r.rate, { ...attributes, "msgraph.throttle.requests": r.requests });
        }
      }
    },
    [queued, inFlight, rate],
  );
}
