import type { Context } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import sinon from "sinon";
import { createTestToken } from "../../lib/testing/index.js";
import { mailboxWorkload } from "../../lib/throttle/graphWorkload.js";
import { MemoryThrottleStore } from "../../lib/throttle/MemoryThrottleStore.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import type { ThrottleEvent } from "../../lib/throttle/ThrottleEvents.js";
import { makeContext, scriptedNext, throttled } from "./support/fakeChain.js";

const GRAPH = "https://graph.microsoft.com/v1.0";

/** A GET of a Graph path with a token of tenant-a, app-1, and the user `oid` when given. */
function getContext(path: string, oid?: string): Context {
  const context = makeContext({ method: "GET", url: `${GRAPH}${path}` });
  if (oid === undefined) return context;
  const token = createTestToken({ tenantId: "tenant-a", appId: "app-1", claims: { oid } });
  return { ...context, options: { ...context.options, headers: { Authorization: `Bearer ${token}` } } };
}

describe("ThrottleHandler: one key per Graph workload (scripted next, fake timers)", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => clock.restore());

  it("gives each mailbox its own cooldown: one mailbox's Retry-After holds none of another's requests", async () => {
    // Outlook limits per app and mailbox: mailbox A is refused for 30 s, mailbox B is not.
    const next = scriptedNext((request) => (request.url.includes("/users/mbx-a/") ? throttled("30") : new Response("{}", { status: 200 })));
    const handler = new ThrottleHandler({ adaptive: false });
    handler.setNext(next);
    await handler.execute(getContext("/users/mbx-a/messages"));
    const waiting = handler.execute(getContext("/users/mbx-a/messages"));
    let other = false;
    const b = handler.execute(getContext("/users/mbx-b/messages")).then(() => (other = true));
    await clock.tickAsync(0);
    expect(other, "mailbox B went at once").to.equal(true);
    expect(next.sent.map((r) => r.url.split("/")[5])).to.deep.equal(["mbx-a", "mbx-b"]);
    const byWorkload = Object.fromEntries(handler.stats().map((s) => [s.workload, s.cooldownUntil === undefined ? 0 : s.cooldownUntil - Date.now()]));
    expect(byWorkload).to.deep.equal({ [mailboxWorkload("mbx-a")]: 30_000, [mailboxWorkload("mbx-b")]: 0 });
    await clock.tickAsync(30_000);
    await Promise.all([waiting, b]);
    expect(next.sent).to.have.length(3);
  });

  it("sends at most 4 requests in flight per mailbox on Graph hosts (Outlook's limit, a preset), each mailbox on its own", async () => {
    const inFlight = new Map<string, number>();
    const most = new Map<string, number>();
    const next = scriptedNext(async (request) => {
      const mailbox = request.url.split("/")[5] ?? "";
      const now = (inFlight.get(mailbox) ?? 0) + 1;
      inFlight.set(mailbox, now);
      most.set(mailbox, Math.max(most.get(mailbox) ?? 0, now));
      await new Promise((resolve) => setTimeout(resolve, 100));
      inFlight.set(mailbox, (inFlight.get(mailbox) ?? 1) - 1);
      return new Response("{}", { status: 200 });
    });
    /** Ten reads of each of two mailboxes at once: the most in flight per mailbox before the first answer, then overall. */
    const run = async (presets: "graph-hosts" | false): Promise<readonly Record<string, number>[]> => {
      most.clear();
      const handler = new ThrottleHandler({ presets, adaptive: false });
      handler.setNext(next);
      const all = ["mbx-a", "mbx-b"].flatMap((mailbox) => Array.from({ length: 10 }, () => handler.execute(getContext(`/users/${mailbox}/messages`))));
      await clock.tickAsync(50);
      const first = Object.fromEntries(most);
      await clock.tickAsync(1000);
      await Promise.all(all);
      return [first, Object.fromEntries(most)];
    };
    // Both mailboxes started at once (neither waits behind the other's cap), and neither passed 4.
    expect(await run("graph-hosts")).to.deep.equal([
      { "mbx-a": 4, "mbx-b": 4 },
      { "mbx-a": 4, "mbx-b": 4 },
    ]);
    expect(await run(false)).to.deep.equal([
      { "mbx-a": 10, "mbx-b": 10 },
      { "mbx-a": 10, "mbx-b": 10 },
    ]);
    expect(next.sent).to.have.length(40);
  });

  it("never puts a mailbox's address in events, stats, log lines or the store's names: a digest names its key", async () => {
    const address = "Adele.Vance@contoso.com";
    const events: ThrottleEvent[] = [];
    const lines: string[] = [];
    const log = (...args: unknown[]): number => lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    const stored: string[] = [];
    const memory = new MemoryThrottleStore();
    // Every argument the handler hands its store (names of windows, cooldowns and rates among them).
    const store = new Proxy(memory, {
      get(target, property, receiver): unknown {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== "function") return value;
        return (...args: unknown[]): unknown => {
          stored.push(JSON.stringify(args));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const next = scriptedNext((request) => (request.index === 1 ? throttled("2") : new Response("{}", { status: 200 })));
    const handler = new ThrottleHandler({ store, onThrottle: (e) => events.push(e), logger: { debug: log, info: log, warn: log, error: log } });
    handler.setNext(next);
    const all = Array.from({ length: 4 }, () => handler.execute(getContext(`/users/${encodeURIComponent(address)}/messages`)));
    await clock.tickAsync(5000);
    await Promise.all(all);
    expect(events.map((e) => e.reason)).to.include("cooldown");
    expect(lines.length).to.be.above(0);
    expect(stored.length).to.be.above(0);
    const stats = handler.stats();
    expect(stats.map((s) => s.workload)).to.deep.equal([mailboxWorkload(address)]);
    const text = JSON.stringify({ events, stats, lines, stored }).toLowerCase();
    expect(text).to.contain(mailboxWorkload(address).slice("outlook:".length));
    for (const part of ["adele", "vance", "contoso"]) expect(text, part).not.to.contain(part);
  });

  it("names /me's mailbox by the token's user (oid), so two signed-in users are two keys; without oid, one", async () => {
    const next = scriptedNext(() => new Response("{}", { status: 200 }));
    const handler = new ThrottleHandler();
    handler.setNext(next);
    for (const oid of ["user-1", "USER-2", undefined]) await handler.execute(getContext("/me/messages", oid));
    await handler.execute(getContext("/me/drive/root"));
    expect(handler.stats().map((s) => s.key)).to.deep.equal([
      `tenant-a/app-1/${mailboxWorkload("user-1")}`,
      `tenant-a/app-1/${mailboxWorkload("user-2")}`,
      "tenant-a/app-1/outlook:me",
      "tenant-a/app-1/sharepoint",
    ]);
  });
});

// Real timers: a batch's answer is read as a stream, which fake timers would stall.
describe("ThrottleHandler: one key per $batch (scripted next)", () => {
  it("keys a $batch by its requests' workload when they share one, else as unclassified paths", async () => {
    const next = scriptedNext(() => new Response(JSON.stringify({ responses: [] }), { status: 200, headers: { "content-type": "application/json" } }));
    const handler = new ThrottleHandler();
    handler.setNext(next);
    const send = async (urls: readonly string[]): Promise<void> => {
      const context = makeContext({ method: "POST", url: `${GRAPH}/$batch` });
      context.options = { ...context.options, body: JSON.stringify({ requests: urls.map((url, i) => ({ id: String(i + 1), method: "GET", url })) }) };
      await handler.execute(context);
    };
    await send(["/sites/root", "/drives/d1/root"]);
    await send(["/sites/root", "/deviceManagement/managedDevices"]);
    expect(handler.stats().map((s) => s.workload)).to.deep.equal(["sharepoint", ""]);
  });
});
