import { expect } from "chai";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import { resolveEmulatorOptions } from "../../lib/testing/options.js";
import { call, useEmulators } from "./support/helpers.js";

const mailboxLimit = { name: "mailbox a", requests: "any", scope: "tenant", path: "/v1.0/users/mbx-a/", limit: 1, windowMs: 60_000 } as const;

describe("testing/startGraphEmulator: other paths (otherPaths)", () => {
  const emulator = useEmulators();

  it("accepts only \"not-found\" and \"empty\"", () => {
    expect(() => resolveEmulatorOptions({ otherPaths: "ok" as "empty" }))
      .to.throw(InvalidOptionsError)
      .with.property("issues")
      .that.deep.equals([{ path: "otherPaths", message: 'must be "not-found" or "empty", got string "ok"' }]);
  });

  it("answers 404 to any other path by default, and counts it in no limit", async () => {
    const emu = await emulator({ limits: [{ ...mailboxLimit, path: "/v1.0/users/" }] });
    for (let i = 0; i < 2; i += 1) expect((await call(emu, { method: "GET", path: "v1.0/users/mbx-a/messages" })).status).to.equal(404);
    expect(emu.stats().throttled).to.equal(0);
  });

  it('with "empty", stands in for the rest of Graph: GET 200 with an empty collection, other methods 204, under the limits of their path', async () => {
    const emu = await emulator({ otherPaths: "empty", limits: [mailboxLimit] });
    const sites = await call(emu, { method: "GET", path: "v1.0/sites/root/lists" });
    expect([sites.status, sites.json]).to.deep.equal([200, { value: [] }]);
    expect((await call(emu, { method: "POST", path: "beta/users/mbx-b/sendMail", body: { message: {} } })).status).to.equal(204);
    // One mailbox's limit: its second request is refused, another mailbox's is not.
    expect((await call(emu, { method: "GET", path: "v1.0/users/mbx-a/messages" })).status).to.equal(200);
    const refused = await call(emu, { method: "DELETE", path: "v1.0/users/mbx-a/messages/1" });
    expect(refused.status).to.equal(429);
    expect(refused.headers.get("retry-after")).to.be.a("string");
    expect((await call(emu, { method: "GET", path: "v1.0/users/mbx-b/messages" })).status).to.equal(200);
    expect(emu.stats()).to.deep.include({ throttled: 1, applied: [] });
    // Unversioned paths still match nothing, and the entity is still the entity.
    expect((await call(emu, { method: "GET", path: "sites/root" })).status).to.equal(404);
    expect((await call(emu, { method: "DELETE" })).status).to.equal(405);
  });

  it('with "empty", answers another path inside a $batch the same way, under the same limits', async () => {
    const emu = await emulator({ otherPaths: "empty", limits: [mailboxLimit] });
    const batch = await call(emu, {
      method: "POST",
      path: "v1.0/$batch",
      body: {
        requests: [
          { id: "1", method: "GET", url: "/users/mbx-a/messages" },
          { id: "2", method: "GET", url: "/users/mbx-a/events", dependsOn: ["1"] },
          { id: "3", method: "PATCH", url: "/users/mbx-b/messages/9", body: { isRead: true }, headers: { "content-type": "application/json" } },
        ],
      },
    });
    const responses = (batch.json as { responses: { id: string; status: number; body?: unknown }[] }).responses;
    expect(responses.map((r) => [r.id, r.status])).to.deep.equal([
      ["1", 200],
      ["2", 429],
      ["3", 204],
    ]);
    expect(responses[0]?.body).to.deep.equal({ value: [] });
  });
});
