import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import sinon from "sinon";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { MemoryThrottleStore } from "../../lib/throttle/MemoryThrottleStore.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import type { ThrottleHandlerOptions } from "../../lib/throttle/ThrottleHandlerOptions.js";
import { scriptedNext } from "./support/fakeChain.js";

const budgets = [{ route: "/deviceManagement/", methods: "write" as const, scope: "tenant" as const, limit: 100, windowMs: 1000 }];

/** A request of one tenant (the key function reads it from a header, so no token is built per request). */
function tenantContext(tenant: string): Context {
  return {
    request: "https://127.0.0.1:8443/v1.0/deviceManagement/softwareUpdateStatusSummary",
    options: { method: "PATCH", headers: { "x-tenant": tenant } },
  };
}

function handlerWith(options: ThrottleHandlerOptions, next: Middleware = scriptedNext()): ThrottleHandler {
  const handler = new ThrottleHandler({
    adaptive: false,
    key: (context) => ({ tenant: (context.options?.headers as Record<string, string>)["x-tenant"] ?? "?" }),
    ...options,
  });
  handler.setNext(next);
  return handler;
}

async function touchTenants(handler: ThrottleHandler, count: number, prefix = "tenant-"): Promise<void> {
  await Promise.all(Array.from({ length: count }, (_, i) => handler.execute(tenantContext(`${prefix}${i}`))));
}

describe("ThrottleHandler: idle keys are swept without traffic and bounded by maxKeys", () => {
  describe("with fake timers", () => {
    let clock: sinon.SinonFakeTimers;
    beforeEach(() => {
      clock = sinon.useFakeTimers({ now: 1_700_000_000_000 });
    });
    afterEach(() => clock.restore());

    it("sweeps 10,000 idle tenants, in the scheduler and in the store, with no request arriving, then stops its timers", async () => {
      const store = new MemoryThrottleStore();
      const handler = handlerWith({ store, budgets });
      await touchTenants(handler, 10_000);
      expect(handler.stats()).to.have.length(10_000);
      expect(store.size).to.equal(20_000); // a window and a pacer per tenant
      expect(clock.countTimers()).to.equal(2); // one sweeper each, however many keys
      await clock.tickAsync(5_000);
      expect(store.size).to.equal(0); // windows of 1 s, pacers: idle after 5 s
      expect(handler.stats()).to.have.length(10_000); // idleKeyMs is 60 s
      await clock.tickAsync(60_000);
      expect(handler.stats()).to.have.length(0);
      expect(clock.countTimers()).to.equal(0);
      // The next key starts the sweeper again.
      await touchTenants(handler, 1, "late-");
      expect(clock.countTimers()).to.equal(2);
    });

    it("keeps a key with requests queued or in flight however long it is idle otherwise", async () => {
      const answers: Array<() => void> = [];
      const next = scriptedNext(() => new Promise<Response>((resolve) => answers.push(() => resolve(new Response(null, { status: 204 })))));
      const handler = handlerWith({ idleKeyMs: 1_000, maxConcurrency: 1 }, next);
      const busy = [handler.execute(tenantContext("busy")), handler.execute(tenantContext("busy"))];
      await clock.tickAsync(10_000);
      expect(handler.stats()).to.deep.equal(handler.stats().filter((s) => s.tenant === "busy"));
      expect(handler.stats()[0]).to.deep.include({ inFlight: 1, queued: 1 });
      answers.shift()?.();
      await clock.tickAsync(0);
      answers.shift()?.();
      await Promise.all(busy);
      await clock.tickAsync(1_500);
      expect(handler.stats()).to.have.length(0);
    });

    it("evicts the least recently used idle key beyond maxKeys, never a busy one", async () => {
      const answers: Array<() => void> = [];
      const next = scriptedNext((r) =>
        r.context.options?.headers !== undefined && (r.context.options.headers as Record<string, string>)["x-tenant"] === "busy"
          ? new Promise<Response>((resolve) => answers.push(() => resolve(new Response(null, { status: 204 }))))
          : new Response(null, { status: 204 }),
      );
      const handler = handlerWith({ maxKeys: 3 }, next);
      const tenants = (): string[] => handler.stats().map((s) => s.tenant);
      const busy = handler.execute(tenantContext("busy"));
      await handler.execute(tenantContext("a"));
      await handler.execute(tenantContext("b"));
      await handler.execute(tenantContext("a")); // a is now more recent than b
      await handler.execute(tenantContext("c"));
      expect(tenants()).to.have.members(["busy", "a", "c"]); // b went; busy is older but in flight
      await handler.execute(tenantContext("d"));
      await handler.execute(tenantContext("e"));
      expect(tenants()).to.have.members(["busy", "d", "e"]);
      answers.shift()?.();
      await busy;
      await handler.execute(tenantContext("f"));
      expect(tenants()).to.have.members(["e", "busy", "f"]); // d was the least recently used idle key
    });
  });

  it("gives back the memory of 10,000 idle tenants without traffic (real timers, heap measured)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const heap = (): number => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const store = new MemoryThrottleStore();
    // A next that keeps nothing (the scripted one records every request).
    const answer: Middleware = {
      execute: async (context) => {
        context.response = new Response(null, { status: 204 });
      },
    };
    const handler = handlerWith({ store, budgets, idleKeyMs: 200 }, answer);
    const before = heap();
    await touchTenants(handler, 10_000);
    const held = heap() - before;
    const start = performance.now();
    while (handler.stats().length > 0 || store.size > 0) {
      if (performance.now() - start > 15_000) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const left = heap() - before;
    console.log(`      10,000 idle tenants: ${(held / 1e6).toFixed(1)} MB held, ${(left / 1e6).toFixed(1)} MB after the sweep`);
    expect(handler.stats()).to.have.length(0);
    expect(store.size).to.equal(0);
    expect(held).to.be.above(5e6);
    expect(left).to.be.below(held * 0.2);
  });
});
