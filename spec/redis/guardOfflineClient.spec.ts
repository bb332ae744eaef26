import { expect } from "chai";
import { guardOfflineClient } from "../../lib/redis/guardOfflineClient.js";
import type { RedisScriptClient } from "../../lib/redis/RedisScriptClient.js";

function fakeClient(status?: string) {
  const calls: string[] = [];
  const client: RedisScriptClient & { status?: string } = {
    evalsha: async (sha) => calls.push(`evalsha ${sha}`),
    eval: async () => calls.push("eval"),
  };
  if (status !== undefined) client.status = status;
  return { client, calls };
}

describe("redis/guardOfflineClient", () => {
  for (const status of ["reconnecting", "close", "end"]) {
    it(`fails at once, without queueing a command, while ioredis is "${status}"`, async () => {
      const { client, calls } = fakeClient(status);
      const guarded = guardOfflineClient(client);
      const errors = await Promise.all([
        guarded.evalsha("abc", 0).catch((error: Error) => error.message),
        guarded.eval("return 1", 0).catch((error: Error) => error.message),
      ]);
      expect(errors).to.deep.equal(Array(2).fill(`Redis connection is ${status}`));
      expect(calls).to.deep.equal([]);
    });
  }

  it("passes calls through when ready, connecting, waiting for a lazy connect, or when the client has no status", async () => {
    for (const status of ["ready", "connecting", "wait", undefined]) {
      const { client, calls } = fakeClient(status);
      const guarded = guardOfflineClient(client);
      await guarded.evalsha("abc", 0);
      await guarded.eval("return 1", 0);
      expect(calls).to.deep.equal(["evalsha abc", "eval"]);
    }
  });

  it("follows the client's status as it changes", async () => {
    const { client, calls } = fakeClient("ready");
    const guarded = guardOfflineClient(client);
    client.status = "reconnecting";
    await guarded.eval("return 1", 0).catch(() => undefined);
    client.status = "ready";
    await guarded.eval("return 1", 0);
    expect(calls).to.deep.equal(["eval"]);
  });
});
