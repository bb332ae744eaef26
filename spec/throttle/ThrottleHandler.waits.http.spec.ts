import { AuthenticationHandler, Client, HTTPMessageHandler } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import { RetryAfterTooLongError } from "../../lib/errors/RetryAfterTooLongError.js";
import { ResilientRetryHandler } from "../../lib/retry/ResilientRetryHandler.js";
import { createTestToken, staticTokenProvider, type GraphEmulator } from "../../lib/testing/index.js";
import type { ThrottleEvent } from "../../lib/throttle/ThrottleEvents.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import { useEmulators } from "../testing/support/helpers.js";
import { emulatorClient, ENTITY, patch } from "./support/emulatorChain.js";
import { monotonicNow } from "../../lib/chain/monotonicNow.js";

/** A PATCH that settles to its error (or undefined), with a trace that keeps the typed error. */
function tracedPatch(client: Client, n: number): { trace: RequestTrace; outcome: Promise<unknown> } {
  const trace = new RequestTrace();
  const outcome = client
    .api(ENTITY)
    .middlewareOptions([trace])
    .patch({ "@odata.type": "#microsoft.graph.softwareUpdateStatusSummary", compliantDeviceCount: n })
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  return { trace, outcome };
}

describe("ThrottleHandler over HTTP: one notion of how long to wait (retry → throttle → emulator)", () => {
  const emulator = useEmulators();

  it("fails a queued call at once, unsent, when the server asks for 3600 s (more than the retry handler accepts)", async () => {
    // One write per tenant per hour: the second write gets a 429 with Retry-After: 3600.
    const emu = await emulator({ limits: [{ name: "writes per hour", requests: "write", scope: "tenant", limit: 1, windowMs: 3_600_000 }] });
    const { client, throttle } = emulatorClient(emu, { throttle: { adaptive: false, maxConcurrency: 1 } });
    await patch(client, 0);
    const started = performance.now();
    // The second call queues behind the first (one in flight at a time) while the first meets the 429.
    const first = tracedPatch(client, 1);
    const second = tracedPatch(client, 2);
    await Promise.all([first.outcome, second.outcome]);
    // Both fail fast with the same typed error, instead of the second sitting queued for minutes.
    expect(performance.now() - started).to.be.below(2_000);
    for (const { trace } of [first, second]) {
      expect(trace.error).to.be.instanceOf(RetryAfterTooLongError);
      expect((trace.error as RetryAfterTooLongError).maxRetryAfterMs).to.equal(120_000);
      expect((trace.error as RetryAfterTooLongError).retryAfterMs).to.be.within(3_598_000, 3_600_000);
    }
    expect(emu.stats()).to.deep.include({ requests: 2, throttled: 1 });
    // A later call of the tenant fails the same way, and is not sent either.
    const third = tracedPatch(client, 3);
    await third.outcome;
    expect(third.trace.error).to.be.instanceOf(RetryAfterTooLongError);
    expect(emu.stats().requests).to.equal(2);
    expect(throttle?.stats()[0]).to.deep.include({ queued: 0, inFlight: 0, rejected: 2 });
  });

  it("judges a cooldown by the retry handler's limit for update() too (an ordered write, whose attempts carry their own signal)", async () => {
    // One write per tenant per 3 s: the second update gets a 429 with Retry-After: ~3 s.
    const emu = await emulator({ limits: [{ name: "writes per 3 s", requests: "write", scope: "tenant", limit: 1, windowMs: 3_000 }] });
    const client = createGraphClient({
      authProvider: staticTokenProvider(createTestToken({ tenantId: "tenant-a" })),
      baseUrl: emu.url,
      customHosts: [emu.host],
      fetchOptions: emu.fetchOptions,
      // The retry handler accepts 1 s; the throttle on its own would accept 120 s.
      retry: { maxRetryAfterMs: 1_000 },
      throttle: { adaptive: false },
    });
    const summary = client.softwareUpdateStatusSummary();
    await summary.update({ compliantDeviceCount: 1 });
    const second = await summary.update({ compliantDeviceCount: 2 }).catch((error: unknown) => error);
    expect(second).to.be.instanceOf(RetryAfterTooLongError);
    // The throttle learned the ~3 s cooldown: the next update fails at once and unsent, instead of waiting it out.
    const started = performance.now();
    const third = await summary.update({ compliantDeviceCount: 3 }).catch((error: unknown) => error);
    expect(third).to.be.instanceOf(RetryAfterTooLongError);
    expect((third as RetryAfterTooLongError).maxRetryAfterMs).to.equal(1_000);
    expect(performance.now() - started).to.be.below(1_000);
    expect(emu.stats().requests).to.equal(2);
  });

  it("waits the same ~10 s in both handlers for an HTTP-date Retry-After from a server whose clock is 1 h ahead", async () => {
    const emu: GraphEmulator = await emulator({
      limits: false,
      retryAfterFormat: "http-date",
      clockSkewMs: 3_600_000,
      faults: { unavailableWithRetryAfter: 1, unavailableRetryAfterSeconds: 10 },
    });
    const retryDelays: number[] = [];
    const cooldowns: ThrottleEvent[] = [];
    // The retry handler tells its delay and then gives up, so the test does not wait it out.
    const retry = new ResilientRetryHandler({
      shouldRetry: ({ delayMs }) => {
        retryDelays.push(delayMs);
        return false;
      },
    });
    const throttle = new ThrottleHandler({
      onThrottle: (e) => {
        if (e.reason === "cooldown") cooldowns.push(e);
      },
    });
    const client = Client.initWithMiddleware({
      middleware: [new AuthenticationHandler(staticTokenProvider(createTestToken({ tenantId: "tenant-a" }))), retry, throttle, new HTTPMessageHandler()],
      baseUrl: emu.url,
      customHosts: new Set([emu.host]),
      fetchOptions: emu.fetchOptions,
    });
    await tracedPatch(client, 1).outcome;
    expect(retryDelays).to.have.length(1);
    // HTTP-dates have whole seconds: 10 s, or 11 s when the Date header was truncated.
    expect(retryDelays[0]).to.be.within(10_000, 11_000);
    expect(cooldowns.map((e) => e.waitMs)).to.deep.equal(retryDelays);
    const cooldownLeft = (throttle.stats()[0]?.cooldownUntil ?? 0) - monotonicNow();
    expect(cooldownLeft).to.be.within(9_000, 11_000);
  });
});
