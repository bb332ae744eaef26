import { expect } from "chai";
import { redisKeyBuilder } from "../../lib/redis/redisKeys.js";

describe("redis/redisKeys", () => {
  it("puts each kind in its own namespace under the prefix", () => {
    const keyOf = redisKeyBuilder("p:", undefined);
    expect(keyOf("window", "t1:writes")).to.equal("p:w:t1:writes");
    expect(keyOf("pace", "t1:writes")).to.equal("p:p:t1:writes");
    expect(keyOf("cooldown", "t1:writes")).to.equal("p:c:t1:writes");
    expect(keyOf("rate", "t1:writes")).to.equal("p:r:t1:writes");
  });

  it("adds a Redis Cluster hash tag when one is configured", () => {
    const keyOf = redisKeyBuilder("p:", (key) => key.split(":")[0]);
    expect(keyOf("window", "tenant-a:app-1:writes")).to.equal("p:{tenant-a}w:tenant-a:app-1:writes");
    expect(redisKeyBuilder("p:", () => undefined)("rate", "k")).to.equal("p:r:k");
  });
});
