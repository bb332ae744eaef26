import { setTimeout as sleep } from "node:timers/promises";
import type { Client } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import { mailboxWorkload } from "../../lib/throttle/graphWorkload.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import { useEmulators } from "../testing/support/helpers.js";
import { emulatorClient, patch } from "./support/emulatorChain.js";

/** GETs a path `count` times at once; resolves to how long until all were answered. */
async function timedGets(client: Client, path: string, count: number): Promise<number> {
  const started = performance.now();
  await Promise.all(Array.from({ length: count }, () => client.api(path).get()));
  return performance.now() - started;
}

/** Waits until a key is cooling down. */
async function untilCoolingDown(throttle: ThrottleHandler): Promise<void> {
  while (!throttle.stats().some((s) => s.cooldownUntil !== undefined)) await sleep(5);
}

// Graph limits each workload on its own: a 429 from Intune says nothing of SharePoint, nor one
// mailbox's of another's. One tenant and app here, as one backend calls them.
describe("ThrottleHandler over HTTP: one key per Graph workload", () => {
  const emulator = useEmulators();

  it("holds only Intune during Intune's cooldown: the tenant's SharePoint and Outlook requests go at once", async () => {
    const emu = await emulator({
      otherPaths: "empty",
      limits: [{ name: "intune", requests: "write", scope: "tenant", path: "/v1.0/deviceManagement", limit: 3, windowMs: 3000 }],
      retryAfterFormat: "fractional-seconds",
    });
    const { client, throttle } = emulatorClient(emu, { throttle: { presets: false, adaptive: false } });
    if (throttle === undefined) throw new Error("no throttle");
    const writes = Array.from({ length: 5 }, (_, n) => patch(client, n));
    await untilCoolingDown(throttle);
    // Intune cools down for most of its 3 s window; the other workloads wait for nothing.
    expect(await timedGets(client, "/sites/root", 5), "SharePoint reads").to.be.below(1000);
    expect(await timedGets(client, "/users/adele@contoso.com/messages", 5), "mail reads").to.be.below(1000);
    const keys = throttle.stats();
    const intune = keys.find((s) => s.workload === "intune");
    expect(intune?.cooldownUntil).to.be.a("number");
    const prefix = `${intune?.tenant}/${intune?.app}`;
    expect(keys.filter((s) => s !== intune).map((s) => [s.key, s.cooldownUntil])).to.deep.equal([
      [`${prefix}/sharepoint`, undefined],
      [`${prefix}/${mailboxWorkload("adele@contoso.com")}`, undefined],
    ]);
    await Promise.all(writes);
    expect(emu.stats().applied).to.have.length(5);
  });

  it("gives each mailbox its own cooldown: a mailbox refused for 3 s holds none of another mailbox's requests", async () => {
    const emu = await emulator({
      otherPaths: "empty",
      limits: [{ name: "mailbox a", requests: "any", scope: "tenant", path: "/v1.0/users/mbx-a/", limit: 2, windowMs: 3000 }],
      retryAfterFormat: "fractional-seconds",
    });
    const { client, throttle } = emulatorClient(emu, { throttle: { adaptive: false } });
    if (throttle === undefined) throw new Error("no throttle");
    const hot = timedGets(client, "/users/mbx-a/messages", 4);
    await untilCoolingDown(throttle);
    expect(await timedGets(client, "/users/mbx-b/messages", 4), "mailbox B").to.be.below(1000);
    expect(throttle.stats().map((s) => [s.workload, s.cooldownUntil === undefined])).to.deep.equal([
      [mailboxWorkload("mbx-a"), false],
      [mailboxWorkload("mbx-b"), true],
    ]);
    // Mailbox A's last two waited out its window, once refused each.
    expect(await hot).to.be.at.least(2500);
    expect(emu.stats().throttled).to.be.within(2, 4);
  });

  it("keeps to a mailbox's 4 requests in flight with the preset: no 429, where learning it costs some", async () => {
    const run = async (presets: "always" | false): Promise<number> => {
      const emu = await emulator({
        otherPaths: "empty",
        faults: { latencyMs: 100 },
        limits: [{ name: "mailbox concurrency", requests: "any", scope: "tenant", path: "/v1.0/users/mbx-a/", algorithm: "concurrency", limit: 4 }],
      });
      const { client } = emulatorClient(emu, { throttle: { presets } });
      await Promise.all(Array.from({ length: 20 }, () => client.api("/users/mbx-a/messages").get()));
      expect(emu.stats().maxConcurrent).to.be.at.least(4);
      return emu.stats().throttled;
    };
    // On Graph hosts the preset applies by default; against the emulator (a custom host), "always".
    expect(await run("always"), "429s with the preset").to.equal(0);
    expect(await run(false), "429s without it").to.be.greaterThan(0);
  });
});
