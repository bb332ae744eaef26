import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "chai";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { GraphClient } from "../../lib/client/CreateGraphClientOptions.js";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";
import { AttemptTimeoutError } from "../../lib/errors/AttemptTimeoutError.js";
import { DeadlineExceededError } from "../../lib/errors/DeadlineExceededError.js";
import type { ResilientRetryOptions } from "../../lib/retry/ResilientRetryOptions.js";
import { createTestToken, staticTokenProvider } from "../../lib/testing/index.js";
import type { EmulatorFaults, GraphEmulator } from "../../lib/testing/types.js";
import { useEmulators } from "../testing/support/helpers.js";

const SUMMARY = "/deviceManagement/softwareUpdateStatusSummary";
const TOKEN = createTestToken({ tenantId: "body-clock-tenant", appId: "app-1" });
/** How late past its due time a clock may end the read (the bar). */
const SLACK_MS = 100;

function clientFor(emu: GraphEmulator, retry: Partial<ResilientRetryOptions> | false): GraphClient {
  return createGraphClient({
    authProvider: staticTokenProvider(TOKEN),
    baseUrl: emu.url,
    customHosts: [emu.host],
    fetchOptions: emu.fetchOptions,
    retry,
    throttle: false,
  });
}

/** Runs `call`, returning what it rejected with and after how many milliseconds. */
async function timedRejection(call: () => Promise<unknown>): Promise<{ error: unknown; elapsedMs: number }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    return { error, elapsedMs: performance.now() - started };
  }
  return expect.fail("expected a rejection");
}

/** The three ways to read the entity: update(), get() and the official client.api().get(). */
const CALLS: Record<string, (client: GraphClient, options?: { signal?: AbortSignal; trace?: RequestTrace }) => Promise<unknown>> = {
  "update()": (client, o = {}) =>
    client.softwareUpdateStatusSummary().update({ compliantDeviceCount: 1 }, { signal: o.signal, middlewareOptions: o.trace ? [o.trace] : [] }),
  "get()": (client, o = {}) => client.softwareUpdateStatusSummary().get({ signal: o.signal, middlewareOptions: o.trace ? [o.trace] : [] }),
  "client.api().get()": (client, o = {}) => {
    const request = client.api(SUMMARY).middlewareOptions(o.trace ? [o.trace] : []);
    if (o.signal !== undefined) request.option("signal", o.signal);
    return request.get();
  },
};

describe("one clock for the whole call, body included (emulator over real HTTP)", function () {
  this.timeout(10_000);
  const start = useEmulators();
  const emulatorWith = (faults: EmulatorFaults): Promise<GraphEmulator> => start({ limits: false, faults: { seed: 7, ...faults } });

  for (const [name, call] of Object.entries(CALLS)) {
    describe(name, () => {
      it("ends a body that stalls after the headers at attemptTimeoutMs with AttemptTimeoutError (no retry left)", async () => {
        const emu = await emulatorWith({ stallAfterHeaders: 1 });
        const trace = new RequestTrace();
        const { error, elapsedMs } = await timedRejection(() => call(clientFor(emu, { attemptTimeoutMs: 300, deadlineMs: 10_000, maxRetries: 0 }), { trace }));
        expect(elapsedMs).to.be.within(299, 300 + SLACK_MS);
        expect(trace.error).to.be.instanceOf(AttemptTimeoutError).and.include({ timeoutMs: 300, attempts: 1 });
        if (name === "client.api().get()") {
          // The official GraphRequest flattens what the chain threw; the trace keeps the typed error.
          expect(error).to.be.instanceOf(GraphError).and.include({ code: "AttemptTimeoutError" });
        } else expect(error).to.equal(trace.error);
        expect(emu.stats().byStatus).to.deep.equal({ 200: 1 });
      });

      it("retries a call whose body stalls after the headers, once the attempt's time is up: the next answer is the result", async () => {
        const emu = await emulatorWith({ stallAfterHeaders: 1 });
        const trace = new RequestTrace();
        const started = performance.now();
        const result = call(clientFor(emu, { attemptTimeoutMs: 300, deadlineMs: 10_000, baseDelayMs: 10, maxDelayMs: 10 }), { trace });
        // The first request is in and stalling: the next one is answered normally.
        while (emu.stats().requests === 0) await sleep(5);
        emu.setFaults({});
        expect(await result).to.have.property("compliantDeviceCount").that.is.a("number");
        expect(performance.now() - started).to.be.within(299, 300 + 10 + SLACK_MS + 200);
        expect(emu.stats().byStatus).to.deep.equal({ 200: 2 });
        expect(trace.attempts).to.equal(2);
        expect(trace.causes[0]).to.be.instanceOf(AttemptTimeoutError);
        expect(trace.error).to.equal(undefined);
      });

      it("ends a stalled body at the deadline with DeadlineExceededError", async () => {
        const emu = await emulatorWith({ stallAfterHeaders: 1 });
        const trace = new RequestTrace();
        const { error, elapsedMs } = await timedRejection(() => call(clientFor(emu, { attemptTimeoutMs: 5_000, deadlineMs: 300 }), { trace }));
        expect(elapsedMs).to.be.within(299, 300 + SLACK_MS);
        expect(trace.error).to.be.instanceOf(DeadlineExceededError).and.include({ deadlineMs: 300 });
        if (name !== "client.api().get()") expect(error).to.equal(trace.error);
      });

      it("ends a stalled body at the caller's abort with the abort reason", async () => {
        const emu = await emulatorWith({ stallAfterHeaders: 1 });
        const signal = AbortSignal.timeout(300);
        const { error, elapsedMs } = await timedRejection(() => call(clientFor(emu, { attemptTimeoutMs: 5_000, deadlineMs: 10_000 }), { signal }));
        expect(elapsedMs).to.be.within(299, 300 + SLACK_MS);
        if (name === "client.api().get()") expect(error).to.be.instanceOf(GraphError).and.include({ code: "TimeoutError" });
        else expect(error).to.equal(signal.reason);
      });

      it("ends a stalled body at the caller's abort when no retry handler is in the chain", async () => {
        const emu = await emulatorWith({ stallAfterHeaders: 1 });
        const signal = AbortSignal.timeout(300);
        const { error, elapsedMs } = await timedRejection(() => call(clientFor(emu, false), { signal }));
        expect(elapsedMs).to.be.within(299, 300 + SLACK_MS);
        if (name === "client.api().get()") expect(error).to.be.instanceOf(GraphError).and.include({ code: "TimeoutError" });
        else expect(error).to.equal(signal.reason);
      });

      it("succeeds when a trickled body ends within the clocks", async () => {
        const emu = await emulatorWith({ slowTrickle: 1, trickleChunkBytes: 64, trickleIntervalMs: 15 });
        const started = performance.now();
        const result = await call(clientFor(emu, { attemptTimeoutMs: 3_000, deadlineMs: 10_000 }));
        // The entity (~600 bytes) arrives in ten or so writes 15 ms apart: slow, but in time.
        expect(performance.now() - started).to.be.at.least(100);
        expect(result).to.have.property("compliantDeviceCount").that.is.a("number");
      });

      it("ends a body that trickles past attemptTimeoutMs", async () => {
        const emu = await emulatorWith({ slowTrickle: 1, trickleChunkBytes: 4, trickleIntervalMs: 40 });
        const trace = new RequestTrace();
        const { elapsedMs } = await timedRejection(() => call(clientFor(emu, { attemptTimeoutMs: 300, deadlineMs: 10_000, maxRetries: 0 }), { trace }));
        expect(elapsedMs).to.be.within(299, 300 + SLACK_MS);
        expect(trace.error).to.be.instanceOf(AttemptTimeoutError);
      });
    });
  }

  it("ends a stalled error body (a 400) at attemptTimeoutMs too", async () => {
    const emu = await emulatorWith({ stallAfterHeaders: 1 });
    const trace = new RequestTrace();
    const client = clientFor(emu, { attemptTimeoutMs: 300, deadlineMs: 10_000 });
    const { error, elapsedMs } = await timedRejection(() => client.api(SUMMARY).query("$select=notAProperty").middlewareOptions([trace]).get());
    expect(elapsedMs).to.be.within(299, 300 + SLACK_MS);
    expect(error).to.be.instanceOf(GraphError).and.include({ statusCode: 400, code: "AttemptTimeoutError" });
    expect(trace.error).to.be.instanceOf(AttemptTimeoutError);
    expect(emu.stats().byStatus).to.deep.equal({ 400: 1 });
  });
});
