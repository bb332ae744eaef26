import { createHash } from "node:crypto";
import { expect } from "chai";
import { luaScript, runLuaScript } from "../../lib/redis/luaScript.js";
import type { RedisScriptClient } from "../../lib/redis/RedisScriptClient.js";
import { connectRedis } from "./support/redisTestEnv.js";

/** A client whose script cache starts empty, like a freshly started Redis. */
function scriptedClient(options: { evalshaError?: Error } = {}) {
  const calls: string[] = [];
  const cached = new Set<string>();
  const client: RedisScriptClient = {
    async evalsha(sha, numkeys, ...args) {
      calls.push(`evalsha ${numkeys} ${args.join(" ")}`);
      if (options.evalshaError) throw options.evalshaError;
      if (!cached.has(sha)) throw new Error("NOSCRIPT No matching script. Please use EVAL.");
      return "from-cache";
    },
    async eval(source, numkeys, ...args) {
      calls.push(`eval ${numkeys} ${args.join(" ")}`);
      cached.add(createHash("sha1").update(source).digest("hex"));
      return "from-source";
    },
  };
  return { client, calls };
}

describe("redis/luaScript", () => {
  const script = luaScript("return KEYS[1]");

  it("computes the SHA1 Redis uses for EVALSHA", async () => {
    const redis = await connectRedis();
    try {
      expect(await redis.script("LOAD", script.source)).to.equal(script.sha);
    } finally {
      redis.disconnect();
    }
  });

  it("tries EVALSHA first and sends the source once on NOSCRIPT", async () => {
    const { client, calls } = scriptedClient();
    expect(await runLuaScript(client, script, ["k1", "k2"], [5, "x"])).to.equal("from-source");
    expect(await runLuaScript(client, script, ["k1", "k2"], [5, "x"])).to.equal("from-cache");
    expect(calls).to.deep.equal(["evalsha 2 k1 k2 5 x", "eval 2 k1 k2 5 x", "evalsha 2 k1 k2 5 x"]);
  });

  it("passes other errors through without retrying", async () => {
    const { client, calls } = scriptedClient({ evalshaError: new Error("Connection is closed.") });
    let caught: unknown;
    await runLuaScript(client, script, ["k"], []).catch((error: unknown) => (caught = error));
    expect((caught as Error).message).to.equal("Connection is closed.");
    expect(calls).to.have.length(1);
  });
});
