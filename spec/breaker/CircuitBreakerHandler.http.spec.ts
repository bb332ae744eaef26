import { expect } from "chai";
import { CircuitBreakerHandler } from "../../lib/breaker/CircuitBreakerHandler.js";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { GraphClient } from "../../lib/client/CreateGraphClientOptions.js";
import { CircuitOpenError, isCircuitOpenError } from "../../lib/errors/CircuitOpenError.js";
import { isGraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { createTestToken, startGraphEmulator, staticTokenProvider, type GraphEmulator } from "../../lib/testing/index.js";
import type { CircuitBreakerOptions, CircuitStateEvent } from "../../lib/breaker/CircuitBreakerOptions.js";

const TOKEN = createTestToken({ tenantId: "contoso", appId: "app-1" });
const BREAK_MS = 300;

async function outcome(client: GraphClient): Promise<unknown> {
  return client.softwareUpdateStatusSummary().get().then(
    () => "ok",
    (error: unknown) => error,
  );
}

describe("breaker/CircuitBreakerHandler (emulator over HTTP)", () => {
  let emu: GraphEmulator;
  afterEach(async () => emu?.close());

  function client(breaker: CircuitBreakerHandler): GraphClient {
    return createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: emu.url,
      customHosts: [emu.host],
      fetchOptions: emu.fetchOptions,
      retry: { maxRetries: 5, baseDelayMs: 1, maxDelayMs: 2 },
      breaker,
    });
  }

  it("opens after 5 failures in a row, fails fast without sending, and closes through one probe", async () => {
    emu = await startGraphEmulator({ limits: false, faults: { unavailable: 1 } });
    const events: CircuitStateEvent[] = [];
    const breaker = new CircuitBreakerHandler({ consecutiveFailures: 5, breakMs: BREAK_MS, onStateChange: (e) => events.push(e) });
    const graph = client(breaker);

    const results: unknown[] = [];
    for (let i = 0; i < 20; i += 1) results.push(await outcome(graph));
    // Without the breaker: 20 calls × 6 attempts = 120 requests. With it: 5 failures open the circuit.
    expect(emu.stats().requests).to.equal(5);
    // The first call's sixth attempt already met the open circuit: every call ends with CircuitOpenError.
    expect(results.filter(isCircuitOpenError)).to.have.length(20);
    const open = results[1] as CircuitOpenError;
    expect(open).to.be.instanceOf(CircuitOpenError);
    expect(open.key).to.equal(`contoso/app-1@${emu.host.split(":")[0]}`);
    expect(open.retryInMs).to.be.within(1, BREAK_MS);
    expect(open.message).not.to.contain(TOKEN);
    expect(events).to.deep.equal([{ key: open.key, state: "open" }]);

    // Recovered: after the break, one probe goes out and closes the circuit.
    emu.setFaults(undefined);
    await new Promise((resolve) => setTimeout(resolve, BREAK_MS + 20));
    const probes = await Promise.all([outcome(graph), outcome(graph), outcome(graph)]);
    expect(probes.filter((p) => p === "ok")).to.have.length(1);
    expect(probes.filter(isCircuitOpenError)).to.have.length(2);
    expect(emu.stats().requests).to.equal(6);
    expect(events.map((e) => e.state)).to.deep.equal(["open", "half-open", "closed"]);
    expect(await outcome(graph)).to.equal("ok");
  });

  it("opens again when the probe fails", async () => {
    emu = await startGraphEmulator({ limits: false, faults: { unavailable: 1 } });
    const breaker = new CircuitBreakerHandler({ consecutiveFailures: 2, breakMs: BREAK_MS });
    const graph = client(breaker);
    await outcome(graph);
    expect(emu.stats().requests).to.equal(2);
    await new Promise((resolve) => setTimeout(resolve, BREAK_MS + 20));
    const error = await outcome(graph);
    // The probe was sent, failed, and the retry that followed met an open circuit again.
    expect(emu.stats().requests).to.equal(3);
    expect(isCircuitOpenError(error)).to.equal(true);
  });

  it("never opens on 429 (throttling is not failure) nor on other 4xx", async () => {
    emu = await startGraphEmulator({ limits: [{ name: "tiny", algorithm: "fixed-window", requests: "any", scope: "tenant", limit: 1, windowMs: 60_000 }] });
    const breaker = new CircuitBreakerHandler({ consecutiveFailures: 1, breakMs: 60_000 });
    const graph = createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: emu.url,
      customHosts: [emu.host],
      fetchOptions: emu.fetchOptions,
      retry: false,
      throttle: false,
      breaker,
    });
    const status = (e: unknown): unknown => (e as { statusCode?: number }).statusCode ?? e;
    const notFound = await graph.api("/deviceManagement/nothingHere").get().then(() => 0, status);
    const results: unknown[] = [];
    for (let i = 0; i < 5; i += 1) results.push(await outcome(graph));
    expect(results[0]).to.equal("ok");
    expect(results.slice(1).map((r) => (isGraphRequestError(r) ? r.statusCode : r))).to.deep.equal([429, 429, 429, 429]);
    expect(notFound).to.be.within(400, 428);
    expect(emu.stats().requests).to.equal(6);
  });

  it("opens on a failure ratio within the sampling window", async () => {
    emu = await startGraphEmulator({ limits: false, faults: { seed: 7, unavailable: 0.6 } });
    const options: CircuitBreakerOptions = { failureRatio: 0.5, minimumRequests: 10, samplingMs: 60_000, breakMs: 60_000 };
    const graph = createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: emu.url,
      customHosts: [emu.host],
      fetchOptions: emu.fetchOptions,
      retry: false,
      breaker: options,
    });
    for (let i = 0; i < 40; i += 1) await outcome(graph);
    const sent = emu.stats().requests;
    expect(sent).to.be.at.least(10).and.below(40);
    expect(isCircuitOpenError(await outcome(graph))).to.equal(true);
    expect(emu.stats().requests).to.equal(sent);
  });

  it("refuses bad options, listing every problem, also through createGraphClient", () => {
    expect(() =>
      createGraphClient({ authProvider: staticTokenProvider(TOKEN), breaker: { consecutiveFailures: 0, samplingMs: "30s" } as unknown as CircuitBreakerOptions }),
    ).to.throw(/breaker\.consecutiveFailures[\s\S]*breaker\.samplingMs/);
    expect(() => new CircuitBreakerHandler({ consecutiveFailures: 0, failureRatio: 2, breakMs: -1 } as CircuitBreakerOptions)).to.throw(
      /consecutiveFailures[\s\S]*failureRatio[\s\S]*breakMs/,
    );
  });
});
