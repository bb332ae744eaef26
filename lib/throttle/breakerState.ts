import type { BreakerAdmission, BreakerOutcome, BreakerPolicy, BreakerState, BreakerTransition } from "./BreakerStore.js";

/**
 * One circuit's state, as a store keeps it. The Redis store's Lua script (`breaker.lua`) applies
 * the same two transitions as {@link admitCircuit} and {@link recordCircuit}.
 */
export interface CircuitRecord {
  state: BreakerState;
  /** When an open circuit may let a probe through; when a half-open probe's lease ends. */
  until: number;
  /** Failures in a row while closed. */
  consecutive: number;
  /** Start of the sampling window. */
  windowStart: number;
  /** Requests and failures counted in the sampling window. */
  requests: number;
  failures: number;
}

/** A closed circuit with nothing counted. */
export function closedCircuit(now: number): CircuitRecord {
  return { state: "closed", until: 0, consecutive: 0, windowStart: now, requests: 0, failures: 0 };
}

/**
 * Admits a request or not, updating `record` in place (an open circuit past its break becomes half-open).
 * @param record - The circuit.
 * @param policy - The break duration.
 * @param now - The store's clock.
 */
export function admitCircuit(record: CircuitRecord, policy: BreakerPolicy, now: number): BreakerAdmission {
  if (record.state === "closed") return { admitted: true, probe: false };
  if (now < record.until) return { admitted: false, retryInMs: Math.max(1, record.until - now) };
  // The break is over (or the last probe's lease ran out): this caller is the one probe.
  record.state = "half-open";
  record.until = now + policy.breakMs;
  return { admitted: true, probe: true };
}

/**
 * Records an outcome, updating `record` in place.
 * @param record - The circuit.
 * @param outcome - How the request ended.
 * @param probe - Whether it was the half-open probe.
 * @param policy - Thresholds and break duration.
 * @param now - The store's clock.
 */
export function recordCircuit(record: CircuitRecord, outcome: BreakerOutcome, probe: boolean, policy: BreakerPolicy, now: number): BreakerTransition {
  if (probe && record.state === "half-open") {
    if (outcome === "failure") open(record, policy, now);
    else Object.assign(record, closedCircuit(now));
    return { state: record.state, changed: true };
  }
  // A late answer of a request let through before the circuit opened says nothing new.
  if (record.state !== "closed" || outcome === "neutral") return { state: record.state, changed: false };
  if (policy.samplingMs !== undefined && now - record.windowStart >= policy.samplingMs) {
    record.windowStart = now;
    record.requests = 0;
    record.failures = 0;
  }
  const failed = outcome === "failure";
  record.requests += 1;
  record.failures += failed ? 1 : 0;
  record.consecutive = failed ? record.consecutive + 1 : 0;
  if (!failed || !tripped(record, policy)) return { state: "closed", changed: false };
  open(record, policy, now);
  return { state: "open", changed: true };
}

function tripped(record: CircuitRecord, policy: BreakerPolicy): boolean {
  if (policy.consecutiveFailures !== undefined && record.consecutive >= policy.consecutiveFailures) return true;
  return (
    policy.failureRatio !== undefined &&
    record.requests >= (policy.minimumRequests ?? 1) &&
    record.failures / record.requests >= policy.failureRatio
  );
}

function open(record: CircuitRecord, policy: BreakerPolicy, now: number): void {
  Object.assign(record, closedCircuit(now), { state: "open", until: now + policy.breakMs });
}

/**
 * Whether a record can be forgotten: closed, with nothing counted that still matters.
 * @param record - The circuit.
 * @param now - The store's clock.
 * @param samplingMs - The sampling window it was last used with.
 */
export function isIdleCircuit(record: CircuitRecord, now: number, samplingMs: number | undefined): boolean {
  if (record.state !== "closed" || record.consecutive > 0) return false;
  return record.failures === 0 || samplingMs === undefined || now - record.windowStart >= samplingMs;
}
