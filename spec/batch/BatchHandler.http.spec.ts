import { expect } from "chai";
import { BatchRequestContent, BatchResponseContent } from "@microsoft/microsoft-graph-client";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { CreateGraphClientOptions, GraphClient } from "../../lib/client/CreateGraphClientOptions.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import type { ThrottleEvent } from "../../lib/throttle/ThrottleEvents.js";
import { ValidationError } from "../../lib/errors/ValidationError.js";
import { createTestToken, startGraphEmulator, staticTokenProvider } from "../../lib/testing/index.js";
import type { GraphEmulatorOptions, GraphEmulator } from "../../lib/testing/types.js";
import { BatchHandler } from "../../lib/batch/BatchHandler.js";
import type { BatchGiveUpEvent, BatchRoundEvent } from "../../lib/batch/batchEvents.js";
import { patchRequest as patch, SUMMARY, type BatchBody } from "../support/batchRequests.js";
import { monotonicNow } from "../../lib/chain/monotonicNow.js";

const TOKEN = createTestToken({ tenantId: "tenant-batch", appId: "app-batch" });
const summary = (body: BatchBody): string[] => body.responses.map((r) => `${r.id}:${r.status}x${r.headers?.["x-attempts"] ?? "?"}`);

describe("batch/BatchHandler over real HTTP against the emulator", function () {
  this.timeout(15_000);
  const started: GraphEmulator[] = [];
  async function emulator(options: GraphEmulatorOptions): Promise<GraphEmulator> {
    const emu = await startGraphEmulator({ retryAfterFormat: "fractional-seconds", ...options });
    started.push(emu);
    return emu;
  }
  function client(emu: GraphEmulator, options: Partial<CreateGraphClientOptions> = {}): GraphClient {
    return createGraphClient({ authProvider: staticTokenProvider(TOKEN), baseUrl: emu.url, customHosts: [emu.host], fetchOptions: emu.fetchOptions, ...options });
  }
  afterEach(async () => {
    await Promise.all(started.splice(0).map((emu) => emu.close()));
  });

  it("a 429 inside a batch starts the key's shared cooldown: the next request of the key waits it out", async () => {
    const emu = await emulator({ limits: [{ name: "w", requests: "write", scope: "tenant", limit: 2, windowMs: 400 }] });
    const events: ThrottleEvent[] = [];
    // No budget: the throttle cannot know the limit, so the server's sub-request 429 is the only teacher.
    const throttle = new ThrottleHandler({ presets: false, onThrottle: (e) => events.push(e) });
    const c = client(emu, { throttle, batch: { maxRetries: 0 } });
    const body = (await c.api("/$batch").post({ requests: [patch("1", 1), patch("2", 2), patch("3", 3)] })) as BatchBody;
    expect(summary(body)).to.deep.equal(["1:200x1", "2:200x1", "3:429x1"]);
    const cooldownUntil = throttle.stats()[0]?.cooldownUntil;
    expect(cooldownUntil, "cooldown started by the sub-request 429").to.be.a("number");
    expect(events.some((e) => e.reason === "cooldown")).to.equal(true);
    const before = performance.now();
    await c.softwareUpdateStatusSummary().update({ compliantDeviceCount: 4 });
    expect(monotonicNow()).to.be.at.least((cooldownUntil ?? 0) - 5);
    expect(performance.now() - before).to.be.at.least(200);
    // The single request waited instead of meeting the limit: the server refused only the batch's third request.
    expect(emu.stats().throttled).to.equal(1);
  });

  it("re-sends a 429 with what depends on it, in order, after the wait, and hands back one response in the original order", async () => {
    const emu = await emulator({ limits: [{ name: "w", requests: "write", scope: "tenant", limit: 2, windowMs: 300 }] });
    // No throttle step: the server's 429s reach the batch step, which waits their Retry-After itself.
    const c = client(emu, { throttle: false });
    const requests = [patch("x", 10), patch("a", 11), patch("b", 12, ["a"]), patch("c", 13, ["b"])];
    const body = (await c.api("/$batch").post({ requests })) as BatchBody;
    expect(body.responses.map((r) => r.id)).to.deep.equal(["x", "a", "b", "c"]);
    expect(body.responses.every((r) => r.status === 200)).to.equal(true);
    expect(summary(body)).to.deep.equal(["x:200x1", "a:200x1", "b:200x2", "c:200x2"]);
    // b then c were applied in dependsOn order, each once.
    expect(emu.stats().applied.map((u) => u.patch["compliantDeviceCount"])).to.deep.equal([10, 11, 12, 13]);
  });

  it("a dependency that finally failed leaves its dependents with 424, and the failure keeps its last real status", async () => {
    // The limit asks for 50 ms but keeps refusing for 10 s: the retries run out.
    const emu = await emulator({ limits: [{ name: "w", requests: "write", scope: "tenant", limit: 1, windowMs: 10_000, retryAfter: { fixedSeconds: 0.05 } }] });
    const c = client(emu, { throttle: false, batch: { maxRetries: 2 } });
    const body = (await c.api("/$batch").post({ requests: [patch("x", 1), patch("a", 2), patch("b", 3, ["a"])] })) as BatchBody;
    expect(summary(body)).to.deep.equal(["x:200x1", "a:429x3", "b:424x3"]);
    expect(emu.stats().applied).to.have.length(1);
  });

  it("does not re-send a non-idempotent POST that got a 504, but re-sends an idempotent PATCH of the summary", async () => {
    const emu = await emulator({ limits: false, faults: { gatewayTimeout: 1, appliesTo: "writes", seed: 1 } });
    const c = client(emu, { throttle: false, batch: { maxRetries: 2, baseDelayMs: 1 } });
    const requests = [
      { id: "post", method: "POST", url: "/deviceManagement/deviceConfigurations", headers: { "Content-Type": "application/json" }, body: {} },
      patch("patch", 1),
      { id: "get", method: "GET", url: SUMMARY },
    ];
    const body = (await c.api("/$batch").post({ requests })) as BatchBody;
    // Never a success the server did not give: both writes keep their 504.
    expect(summary(body)).to.deep.equal(["post:504x1", "patch:504x3", "get:200x1"]);
  });

  it("stops at once when the caller aborts while it waits to re-send", async () => {
    const emu = await emulator({ limits: [{ name: "w", requests: "write", scope: "tenant", limit: 1, windowMs: 5_000, retryAfter: { fixedSeconds: 5 } }] });
    const c = client(emu, { throttle: false });
    const controller = new AbortController();
    const sent = c.api("/$batch").options({ signal: controller.signal }).post({ requests: [patch("1", 1), patch("2", 2)] });
    setTimeout(() => controller.abort(new Error("caller gave up")), 150);
    const started = performance.now();
    const error = await sent.then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect(performance.now() - started).to.be.below(2_000);
    expect(String((error as Error).message)).to.match(/caller gave up|abort/i);
    expect(emu.stats().requests).to.equal(1);
  });

  it("starts no round (nor its wait) that would end past the call's deadline: the rest keep their last real status", async () => {
    const emu = await emulator({ limits: [{ name: "w", requests: "write", scope: "tenant", limit: 1, windowMs: 10_000, retryAfter: { fixedSeconds: 0.4 } }] });
    // No throttle step: the 429's Retry-After (400 ms) reaches the batch step, and 400 ms would pass the 300 ms deadline.
    const giveUps: BatchGiveUpEvent[] = [];
    const c = client(emu, { throttle: false, retry: { deadlineMs: 300 }, batch: { onGiveUp: (e: BatchGiveUpEvent) => giveUps.push(e) } });
    const started = performance.now();
    const body = (await c.api("/$batch").post({ requests: [patch("1", 1), patch("2", 2)] })) as BatchBody;
    expect(summary(body)).to.deep.equal(["1:200x1", "2:429x1"]);
    expect(performance.now() - started, "no wait began").to.be.below(250);
    expect(emu.stats().requests).to.equal(1);
    expect(giveUps.map((e) => [e.reason, e.ids, e.rounds, e.statuses])).to.deep.equal([["deadline", ["2"], 0, { 429: 1 }]]);
  });

  it("reports each follow-up round before its wait (onRound, logger) and what it gives up on (onGiveUp)", async () => {
    const emu = await emulator({ limits: [{ name: "w", requests: "write", scope: "tenant", limit: 1, windowMs: 10_000, retryAfter: { fixedSeconds: 0.1 } }] });
    const rounds: { event: BatchRoundEvent; requestsSoFar: number }[] = [];
    const giveUps: BatchGiveUpEvent[] = [];
    const lines: string[] = [];
    const logger = { info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) };
    const batch = new BatchHandler({ maxRetries: 2 });
    batch.onRound((event) => rounds.push({ event, requestsSoFar: emu.stats().requests }));
    const c = client(emu, { throttle: false, logger, batch: { maxRetries: 2, onGiveUp: (e: BatchGiveUpEvent) => giveUps.push(e) } });
    const handled = client(emu, { throttle: false, batch });
    // Through createGraphClient's logger: the step logs rounds and give-ups.
    await c.api("/$batch").post({ requests: [patch("1", 1), patch("2", 2), patch("3", 3, ["2"])] });
    expect(lines.filter((l) => l.includes("batch round"))).to.have.length(2);
    expect(lines.some((l) => l.startsWith("warn Graph batch gave up on 1 request(s) after 2 follow-up(s): max-retries (1x 429)"))).to.equal(true, lines.join("\n"));
    expect(giveUps.map((e) => [e.reason, e.ids, e.rounds])).to.deep.equal([["max-retries", ["2"], 2]]);
    // Through a handler of one's own: the events, each before its round was sent.
    await new Promise((resolve) => setTimeout(resolve, 0));
    emu.reset();
    await handled.api("/$batch").post({ requests: [patch("1", 1), patch("2", 2), patch("3", 3, ["2"])] });
    expect(rounds.map(({ event }) => [event.round, event.requests, event.ids, event.statuses])).to.deep.equal([
      [1, 2, ["2", "3"], { 429: 1 }],
      [2, 2, ["2", "3"], { 429: 1 }],
    ]);
    expect(rounds.map((r) => r.requestsSoFar)).to.deep.equal([1, 2]);
    expect(rounds.every(({ event }) => event.delayMs === 100 && event.clientRequestId.length > 0)).to.equal(true);
  });

  it("a batch refused as a whole (429 at the top level) is re-sent whole by the retry handler", async () => {
    const emu = await emulator({
      limits: [{ name: "batch endpoint", requests: "any", scope: "tenant", path: "/v1.0/$batch", limit: 1, windowMs: 300 }],
    });
    const c = client(emu, { throttle: false, retry: { baseDelayMs: 10 } });
    const [first, second] = (await Promise.all([
      c.api("/$batch").post({ requests: [patch("1", 1)] }),
      c.api("/$batch").post({ requests: [patch("1", 2)] }),
    ])) as BatchBody[];
    expect(summary(first as BatchBody)).to.deep.equal(["1:200x1"]);
    expect(summary(second as BatchBody)).to.deep.equal(["1:200x1"]);
    expect(emu.stats().byStatus["429"]).to.be.at.least(1);
    expect(emu.stats().applied).to.have.length(2);
  });

  it("a follow-up round refused as a whole is judged request by request: each refused request goes again", async () => {
    const emu = await emulator({
      limits: [
        { name: "w", requests: "write", scope: "tenant", limit: 2, windowMs: 300 },
        // The $batch endpoint's own limit refuses the follow-up round (sent about 300 ms after the first) as a whole.
        { name: "batch endpoint", requests: "any", scope: "tenant", path: "/v1.0/$batch", limit: 1, windowMs: 700 },
      ],
    });
    const rounds: BatchRoundEvent[] = [];
    // No throttle step: the server's answers reach the batch step as they came.
    const c = client(emu, { throttle: false, batch: { onRound: (e: BatchRoundEvent) => rounds.push(e) } });
    const body = (await c.api("/$batch").post({ requests: [patch("1", 1), patch("2", 2), patch("3", 3)] })) as BatchBody;
    // Round 1: 3 refused by the write limit. Round 2: refused whole by the endpoint. Round 3: applied.
    expect(summary(body)).to.deep.equal(["1:200x1", "2:200x1", "3:200x3"]);
    expect(rounds.map((r) => r.statuses)).to.deep.equal([{ 429: 1 }, { 429: 1 }]);
    expect(emu.stats().applied.map((u) => u.patch["compliantDeviceCount"])).to.deep.equal([1, 2, 3]);
  });

  it("works with the official BatchRequestContent / BatchResponseContent and with a raw JSON text body", async () => {
    const emu = await emulator({ limits: [{ name: "w", requests: "write", scope: "tenant", limit: 1, windowMs: 200 }] });
    const c = client(emu, { throttle: false });
    const content = new BatchRequestContent(
      [1, 2].map((n) => ({
        id: String(n),
        request: new Request(`https://graph.microsoft.com/v1.0${SUMMARY}`, { method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ compliantDeviceCount: n }) }),
      })),
    );
    const official = new BatchResponseContent(await c.api("/$batch").post(await content.getContent()));
    expect([...official.getResponses()].map(([id, r]) => `${id}:${r.status}:${r.headers.get("x-attempts")}`)).to.deep.equal(["1:200:1", "2:200:2"]);
    const raw = (await c.api("/$batch").header("Content-Type", "application/json").post(JSON.stringify({ requests: [patch("r", 3)] }))) as BatchBody;
    expect(raw.responses.map((r) => r.status)).to.deep.equal([200]);
  });

  it("refuses a malformed batch before sending anything, listing every problem", async () => {
    const emu = await emulator({ limits: false });
    const c = client(emu);
    const requests = [patch("1", 1, ["9"]), patch("1", 2), { id: "3", method: "GET", url: "https://graph.microsoft.com/v1.0/me" }];
    const error = await c.api("/$batch").post({ requests }).then(
      () => expect.fail("expected a rejection"),
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).to.deep.equal(["requests[0].dependsOn", "requests[1].id", "requests[2].url"]);
    expect(emu.stats().requests).to.equal(0);
  });
});
