import { expect } from "chai";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { AttemptTimeoutError } from "../../lib/errors/AttemptTimeoutError.js";
import { GraphNetworkError } from "../../lib/errors/GraphNetworkError.js";
import { RetryAfterTooLongError } from "../../lib/errors/RetryAfterTooLongError.js";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";
import { ResilientRetryHandler } from "../../lib/retry/ResilientRetryHandler.js";
import type { ResilientRetryOptions } from "../../lib/retry/ResilientRetryOptions.js";
import type { GiveUpEvent, RetryEvent } from "../../lib/retry/retryEvents.js";
import { startGraphEmulator } from "../../lib/testing/index.js";
import type { EmulatorFaults, GraphEmulator } from "../../lib/testing/types.js";
import { clientWith, ODATA_TYPE, SUMMARY } from "./support/emulatorClient.js";

describe("ResilientRetryHandler over HTTP (emulator faults)", function () {
  this.timeout(15_000);
  let emu: GraphEmulator;

  before(async () => {
    // Fractional Retry-After so server-requested waits can be a few hundred milliseconds.
    emu = await startGraphEmulator({ limits: false, retryAfterFormat: "fractional-seconds" });
  });
  after(() => emu.close());
  beforeEach(() => {
    emu.reset();
    emu.setFaults(undefined);
  });

  /** A client with the handler; faults apply until the first retry, then stop (so each test is deterministic). */
  function setup(faults: EmulatorFaults, options: Partial<ResilientRetryOptions> = {}, faultsStay = false) {
    const handler = new ResilientRetryHandler({ baseDelayMs: 20, maxDelayMs: 100, ...options });
    const retries: RetryEvent[] = [];
    const giveUps: GiveUpEvent[] = [];
    handler.onRetry((e) => {
      retries.push(e);
      if (!faultsStay) emu.setFaults(undefined);
    });
    handler.onGiveUp((e) => giveUps.push(e));
    emu.setFaults(faults);
    return { client: clientWith(emu, handler), retries, giveUps };
  }

  it("retries a 503 without Retry-After using backoff", async () => {
    const { client, retries } = setup({ unavailable: 1 });
    const trace = new RequestTrace();
    const summary = (await client.api(SUMMARY).middlewareOptions([trace]).get()) as { id: string };
    expect(summary.id).to.be.a("string");
    expect(retries).to.have.length(1);
    expect(retries[0]).to.include({ status: 503, reason: "status", delaySource: "backoff" });
    expect(retries[0]?.requestId).to.be.a("string");
    expect(emu.stats().byStatus).to.include({ 503: 1, 200: 1 });
    expect(trace.attempts).to.equal(2);
  });

  it("waits exactly what a 503's Retry-After asks for", async () => {
    const { client, retries } = setup({ unavailableWithRetryAfter: 1, unavailableRetryAfterSeconds: 0.15 });
    const started = performance.now();
    await client.api(SUMMARY).get();
    expect(performance.now() - started).to.be.at.least(145); // timers may fire a hair early against performance.now()
    expect(retries[0]).to.include({ delayMs: 150, delaySource: "retry-after", status: 503 });
  });

  it("retries a 504", async () => {
    const { client, retries } = setup({ gatewayTimeout: 1 });
    await client.api(SUMMARY).get();
    expect(retries[0]).to.include({ status: 504 });
    expect(emu.stats().byStatus).to.include({ 504: 1, 200: 1 });
  });

  it("retries a GET after a connection reset", async () => {
    const { client, retries } = setup({ connectionReset: 1 });
    const trace = new RequestTrace();
    await client.api(SUMMARY).middlewareOptions([trace]).get();
    expect(retries[0]).to.include({ reason: "network", status: null });
    expect(trace.causes[0]).to.be.instanceOf(GraphNetworkError);
    expect(["connection-reset", "socket-closed"]).to.include((trace.causes[0] as GraphNetworkError).kind);
    expect(emu.stats().byStatus).to.include({ reset: 1, 200: 1 });
  });

  it("ends with a GraphNetworkError in the trace when resets persist, and never retries an unmarked PATCH", async () => {
    const { client } = setup({ connectionReset: 1 }, { maxRetries: 2 }, true);
    const trace = new RequestTrace();
    const error = await client.api(SUMMARY).middlewareOptions([trace]).get().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(GraphError);
    expect(trace.error).to.be.instanceOf(GraphNetworkError).and.include({ attempts: 3 });
    expect((trace.error as GraphNetworkError).causes).to.have.length(2);
    expect((trace.error as GraphNetworkError).cause).to.be.instanceOf(TypeError);

    emu.reset();
    const patchTrace = new RequestTrace();
    await client.api(SUMMARY).middlewareOptions([patchTrace]).patch({ "@odata.type": ODATA_TYPE, compliantDeviceCount: 1 }).catch(() => undefined);
    expect(patchTrace.attempts).to.equal(1);
    expect(emu.stats().requests).to.equal(1);
  });

  it("times out a hung attempt and retries it", async () => {
    const { client, retries } = setup({ hang: 1 }, { attemptTimeoutMs: 200 });
    const started = performance.now();
    await client.api(SUMMARY).get();
    const elapsed = performance.now() - started;
    expect(elapsed).to.be.at.least(195).and.below(3_000);
    expect(retries[0]).to.include({ reason: "attempt-timeout" });
  });

  it("ends with AttemptTimeoutError when every attempt hangs", async () => {
    const { client } = setup({ hang: 1 }, { attemptTimeoutMs: 150, maxRetries: 1 }, true);
    const trace = new RequestTrace();
    const error = await client.api(SUMMARY).middlewareOptions([trace]).get().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(GraphError);
    expect(trace.error).to.be.instanceOf(AttemptTimeoutError).and.include({ attempts: 2, timeoutMs: 150 });
  });

  it("fails fast with RetryAfterTooLongError when a 503 asks for an hour", async () => {
    const { client, retries } = setup({ unavailableWithRetryAfter: 1, unavailableRetryAfterSeconds: 3600 }, {}, true);
    const trace = new RequestTrace();
    const started = performance.now();
    const error = await client.api(SUMMARY).middlewareOptions([trace]).get().catch((e: unknown) => e);
    expect(performance.now() - started).to.be.below(1_000);
    expect(error).to.be.instanceOf(GraphError);
    expect(trace.error).to.be.instanceOf(RetryAfterTooLongError).and.include({ statusCode: 503, retryAfterMs: 3_600_000, code: "serviceNotAvailable" });
    expect(retries).to.have.length(0);
    expect(emu.stats().requests).to.equal(1);
  });

  it("leaves the last 503 for the client to turn into a GraphError after maxRetries", async () => {
    const { client, giveUps } = setup({ unavailable: 1 }, { maxRetries: 2 }, true);
    const trace = new RequestTrace();
    const error = await client.api(SUMMARY).middlewareOptions([trace]).get().catch((e: unknown) => e);
    expect(error).to.be.instanceOf(GraphError).and.include({ statusCode: 503, code: "serviceNotAvailable" });
    expect(trace.attempts).to.equal(3);
    expect(trace.causes).to.have.length(2);
    expect(giveUps[0]).to.include({ reason: "max-retries", attempts: 3 });
  });

  it("aborts at once during a hung attempt, with the caller's reason", async () => {
    const { client } = setup({ hang: 1 }, { attemptTimeoutMs: 10_000 }, true);
    const controller = new AbortController();
    const reason = new Error("user left the page");
    const trace = new RequestTrace();
    setTimeout(() => controller.abort(reason), 100);
    const started = performance.now();
    const error = await client.api(SUMMARY).option("signal", controller.signal).middlewareOptions([trace]).get().catch((e: unknown) => e);
    expect(performance.now() - started).to.be.below(1_000);
    expect(error).to.be.instanceOf(GraphError);
    expect(trace.error).to.equal(reason);
  });

  it("aborts at once during a wait, with the caller's reason", async () => {
    const { client, retries } = setup({ unavailableWithRetryAfter: 1, unavailableRetryAfterSeconds: 60 }, {}, true);
    const controller = new AbortController();
    const reason = new Error("shutting down");
    const trace = new RequestTrace();
    setTimeout(() => controller.abort(reason), 200);
    const started = performance.now();
    await client.api(SUMMARY).option("signal", controller.signal).middlewareOptions([trace]).get().catch(() => undefined);
    expect(performance.now() - started).to.be.below(1_000);
    expect(retries[0]).to.include({ delayMs: 60_000 });
    expect(trace.error).to.equal(reason);
    expect(emu.stats().requests).to.equal(1);
  });

});
