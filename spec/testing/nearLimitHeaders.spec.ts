import { expect } from "chai";
import { nearLimitHeaders } from "../../lib/testing/nearLimitHeaders.js";
import { resolveEmulatorLimits } from "../../lib/testing/options.js";
import { createFixedWindow } from "../../lib/testing/fixedWindow.js";
import { createTokenBucket } from "../../lib/testing/tokenBucket.js";
import type { EmulatorNearLimitHeaders } from "../../lib/testing/types.js";

const spec = (name: string, headers: EmulatorNearLimitHeaders) =>
  resolveEmulatorLimits([{ name, requests: "any", scope: "tenant", limit: 10, windowMs: 1000, nearLimitHeaders: headers }])[0]!;

describe("testing/nearLimitHeaders", () => {
  it("sends nothing below the threshold, and the IETF draft headers from it on", () => {
    const counter = createFixedWindow(10, 1000);
    const counted = [{ spec: spec("a", { rateLimit: true }), counter }];
    for (let i = 0; i < 7; i += 1) counter.record(100);
    expect(nearLimitHeaders(counted, 100)).to.equal(undefined);
    counter.record(100);
    expect(nearLimitHeaders(counted, 100)).to.deep.equal({ "RateLimit-Limit": "10", "RateLimit-Remaining": "2", "RateLimit-Reset": "1" });
  });

  it("writes x-ms-throttle-limit-percentage as the share used, from a chosen threshold", () => {
    const counter = createFixedWindow(10, 1000);
    const counted = [{ spec: spec("a", { throttleLimitPercentage: true, threshold: 0.5 }), counter }];
    for (let i = 0; i < 4; i += 1) counter.record(0);
    expect(nearLimitHeaders(counted, 0)).to.equal(undefined);
    counter.record(0);
    expect(nearLimitHeaders(counted, 0)).to.deep.equal({ "x-ms-throttle-limit-percentage": "0.5" });
    for (let i = 0; i < 4; i += 1) counter.record(0);
    expect(nearLimitHeaders(counted, 0)).to.deep.equal({ "x-ms-throttle-limit-percentage": "0.9" });
  });

  it("reports the most used limit that sends a header, and a token bucket's whole tokens and refill time", () => {
    const fixed = createFixedWindow(10, 1000);
    const bucket = createTokenBucket(10, 1000, 10);
    for (let i = 0; i < 8; i += 1) fixed.record(0);
    for (let i = 0; i < 9; i += 1) bucket.record(0);
    const counted = [
      { spec: spec("fixed", { rateLimit: true }), counter: fixed },
      { spec: spec("bucket", { rateLimit: true, throttleLimitPercentage: true }), counter: bucket },
    ];
    // 0.9 used in the bucket beats 0.8 in the fixed window; 9 tokens refill in 900 ms (rounded up to 1 s).
    expect(nearLimitHeaders(counted, 0)).to.deep.equal({
      "RateLimit-Limit": "10",
      "RateLimit-Remaining": "1",
      "RateLimit-Reset": "1",
      "x-ms-throttle-limit-percentage": "0.9",
    });
    // Limits without headers never add any.
    expect(nearLimitHeaders([{ spec: spec("quiet", {}), counter: fixed }], 0)).to.equal(undefined);
  });
});
