import { expect } from "chai";
import { withStoreTimeout } from "../../lib/throttle/storeTimeout.js";
import { connectRedis } from "./support/redisTestEnv.js";

describe("redis: the store timeout against a real socket", () => {
  it("lets a reply that arrived while the event loop was blocked win over the timer", async () => {
    const redis = await connectRedis();
    try {
      const answer = withStoreTimeout(redis.ping(), 20, "ping");
      // Block the loop well past the timeout; Redis answers meanwhile and the reply waits on the socket.
      const until = performance.now() + 300;
      while (performance.now() < until) {
        // busy
      }
      expect(await answer).to.equal("PONG");
    } finally {
      redis.disconnect();
    }
  });
});
