import { expect } from "chai";
import { AuthenticationHandlerOptions } from "@microsoft/microsoft-graph-client";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { GraphClient } from "../../lib/client/CreateGraphClientOptions.js";
import type { SoftwareUpdateStatusSummaryUpdateOptions } from "../../lib/client/SoftwareUpdateStatusSummaryRequestBuilder.js";
import type { ResilientRetryOptions } from "../../lib/retry/ResilientRetryOptions.js";
import { createTestToken, staticTokenProvider, type EmulatorFaults, type GraphEmulator } from "../../lib/testing/index.js";
import { useEmulators, wait } from "../testing/support/helpers.js";

const TENANT_A = "tenant-a";
const TENANT_B = "tenant-b";
const providerFor = (tenantId: string) => staticTokenProvider(createTestToken({ tenantId, appId: "app-1" }));

/**
 * Attempts time out after 250 ms; the first attempt, whose PATCH the emulator applies 700 ms after
 * it arrived, is retried at once. (Margins are wide: the machine running the specs may be busy.)
 */
const ATTEMPT_TIMEOUT_MS = 250;
const LATE_MS = 700;

/** The `compliantDeviceCount` of each applied update of a tenant, in the order the server applied them. */
function appliedValues(emu: GraphEmulator, tenant = TENANT_A): unknown[] {
  return emu.stats().applied.filter((update) => update.tenant === tenant).map((update) => update.patch.compliantDeviceCount);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

describe("client: writes in order (over real HTTP against the emulator)", function () {
  this.timeout(10_000);
  const start = useEmulators();
  let emu: GraphEmulator;

  /**
   * A client whose attempts time out after 100 ms. `faultFirstWrite` applies to the first PATCH
   * only: the first retry switches the emulator's faults off, so the retry is served at once.
   */
  function client(faultFirstWrite: EmulatorFaults | undefined, retry: Partial<ResilientRetryOptions> = {}): GraphClient {
    emu.setFaults(faultFirstWrite === undefined ? undefined : { appliesTo: "writes", ...faultFirstWrite });
    return createGraphClient({
      authProvider: providerFor(TENANT_A),
      baseUrl: emu.url,
      customHosts: [emu.host],
      fetchOptions: emu.fetchOptions,
      throttle: false,
      retry: {
        attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
        baseDelayMs: 5,
        maxDelayMs: 5,
        deadlineMs: 3000,
        onRetry: () => emu.setFaults(undefined),
        ...retry,
      },
    });
  }

  beforeEach(async () => {
    emu = await start({ limits: false, protocol: "http" });
  });

  /**
   * update(1), whose first attempt times out and is applied late, then update(3) once update(1)
   * is acknowledged. Returns what the server applied and kept, and when update(1) resolved.
   */
  async function lateDuplicateScenario(options: SoftwareUpdateStatusSummaryUpdateOptions): Promise<{ applied: unknown[]; final: unknown; appliedWhenFirstResolved: number }> {
    const summary = client({ lateApply: 1, lateApplyMs: LATE_MS }).softwareUpdateStatusSummary();
    const startedAt = performance.now();
    await summary.update({ compliantDeviceCount: 1 }, options);
    const appliedWhenFirstResolved = emu.stats().applied.length;
    await summary.update({ compliantDeviceCount: 3 }, options);
    // Let the late first attempt land, whenever it does.
    await wait(Math.max(0, startedAt + LATE_MS + 150 - performance.now()));
    return { applied: appliedValues(emu), final: emu.entity(TENANT_A)?.compliantDeviceCount, appliedWhenFirstResolved };
  }

  it("a late first attempt of update(1) lands before update(3) is sent: the server ends at 3, the last acknowledged value", async () => {
    const { applied, final, appliedWhenFirstResolved } = await lateDuplicateScenario({});
    // update(1) resolved on its retry's answer, without waiting for the late attempt...
    expect(appliedWhenFirstResolved).to.be.at.least(1);
    // ...but update(3) went out only once that attempt had been applied and answered: every
    // copy of update(1) (the late one, the retry, and any further retry) lands before it.
    expect(applied.at(-1)).to.equal(3);
    expect(applied.slice(0, -1)).to.have.length.at.least(2).and.satisfy((values: unknown[]) => values.every((value) => value === 1));
    expect(final).to.equal(3);
    expect(emu.stats().byStatus).to.deep.equal({ 200: applied.length });
  });

  it("without ordering (ordered: false) the same sequence ends at 1: the late duplicate undoes the acknowledged update(3)", async () => {
    // This is the bug the test above guards against: the timed-out attempt is aborted at the
    // socket, the emulator applies it anyway, after update(3).
    const { applied, final } = await lateDuplicateScenario({ ordered: false });
    expect(applied.at(-1)).to.equal(1);
    expect(applied.indexOf(3)).to.be.within(1, applied.length - 2);
    expect(final).to.equal(1);
  });

  it("applies concurrent update() calls for one tenant in call order", async () => {
    // Random latency per request reorders unordered writes (see the next test).
    const summary = client({ seed: 7, latencyMs: { min: 0, max: 40 } }, { attemptTimeoutMs: 5000 }).softwareUpdateStatusSummary();
    const values = Array.from({ length: 12 }, (_, i) => i);
    const results = await Promise.all(values.map((value) => summary.update({ compliantDeviceCount: value })));
    expect(results.map((entity) => entity?.compliantDeviceCount)).to.deep.equal(values);
    expect(appliedValues(emu)).to.deep.equal(values);
    expect(emu.entity(TENANT_A)?.compliantDeviceCount).to.equal(11);
    expect(emu.stats().maxConcurrent).to.equal(1);
  });

  it("keeps call order when the token provider answers each call after a different delay", async () => {
    const token = createTestToken({ tenantId: TENANT_A, appId: "app-1" });
    // The first calls get their token last: lanes are joined in call order all the same.
    let calls = 0;
    const slowFirst = staticTokenProvider(async () => {
      calls += 1;
      await wait(Math.max(0, 40 - calls * 4));
      return token;
    });
    const graph = createGraphClient({ authProvider: slowFirst, baseUrl: emu.url, customHosts: [emu.host], fetchOptions: emu.fetchOptions, throttle: false });
    const values = Array.from({ length: 8 }, (_, i) => i);
    await Promise.all(values.map((value) => graph.softwareUpdateStatusSummary().update({ compliantDeviceCount: value })));
    expect(appliedValues(emu)).to.deep.equal(values);
  });

  it("(control) the same concurrent calls with ordered: false arrive out of order", async () => {
    const summary = client({ seed: 7, latencyMs: { min: 0, max: 40 } }, { attemptTimeoutMs: 5000 }).softwareUpdateStatusSummary();
    const values = Array.from({ length: 12 }, (_, i) => i);
    await Promise.all(values.map((value) => summary.update({ compliantDeviceCount: value }, { ordered: false })));
    expect(appliedValues(emu)).to.have.members(values).and.not.deep.equal(values);
  });

  it("does not serialise different tenants: tenant B's update goes through while tenant A's lane is held", async () => {
    const graph = client({ lateApply: 1, lateApplyMs: LATE_MS });
    const tenantB = { middlewareOptions: [new AuthenticationHandlerOptions(providerFor(TENANT_B))] };
    const startedAt = performance.now();
    await graph.softwareUpdateStatusSummary().update({ compliantDeviceCount: 1 });
    // Tenant A's lane is held by the late attempt (until about LATE_MS).
    const a3 = graph.softwareUpdateStatusSummary().update({ compliantDeviceCount: 3 });
    await graph.softwareUpdateStatusSummary().update({ compliantDeviceCount: 2 }, tenantB);
    const tenantBDoneMs = performance.now() - startedAt;
    expect(tenantBDoneMs).to.be.below(LATE_MS - 50);
    expect(appliedValues(emu, TENANT_B)).to.deep.equal([2]);
    expect(appliedValues(emu)).to.deep.equal([1]);
    await a3;
    expect(appliedValues(emu).at(-1)).to.equal(3);
    expect(emu.entity(TENANT_A)?.compliantDeviceCount).to.equal(3);
  });

  it("removes an aborted update from the queue without sending it", async () => {
    const summary = client({ lateApply: 1, lateApplyMs: LATE_MS }).softwareUpdateStatusSummary();
    await summary.update({ compliantDeviceCount: 1 });
    const controller = new AbortController();
    const queued = summary.update({ compliantDeviceCount: 2 }, { signal: controller.signal });
    const last = summary.update({ compliantDeviceCount: 3 });
    const requestsBefore = emu.stats().requests;
    const reason = new Error("no longer needed");
    const abortedAt = performance.now();
    controller.abort(reason);
    expect(await rejection(queued)).to.equal(reason);
    expect(performance.now() - abortedAt).to.be.below(50);
    await last;
    expect(appliedValues(emu)).to.not.include(2);
    expect(appliedValues(emu).at(-1)).to.equal(3);
    // Only update(3) was sent after the abort (and, on a busy machine, a retry of it): update(2) never was.
    expect(emu.stats().requests - requestsBefore).to.be.within(1, 2);
  });

  it("never waits past the deadline: an attempt that never settles is aborted then, and the lane moves on", async () => {
    const deadlineMs = 1000;
    const summary = client({ hang: 1 }, { deadlineMs }).softwareUpdateStatusSummary();
    const startedAt = performance.now();
    await summary.update({ compliantDeviceCount: 1 });
    const firstMs = performance.now() - startedAt;
    expect(firstMs).to.be.below(deadlineMs / 2);
    await summary.update({ compliantDeviceCount: 3 });
    const secondMs = performance.now() - startedAt;
    expect(secondMs).to.be.within(deadlineMs - 20, deadlineMs + 500);
    expect(appliedValues(emu).at(-1)).to.equal(3);
    expect(emu.entity(TENANT_A)?.compliantDeviceCount).to.equal(3);
  });
});
