import { expect } from "chai";
import { readRateLimitHeaders } from "../../lib/throttle/readRateLimitHeaders.js";

const read = (init: Record<string, string>) => readRateLimitHeaders(new Headers(init));

describe("readRateLimitHeaders", () => {
  it("returns undefined for a response without any of the headers", () => {
    expect(read({ "content-type": "application/json", "retry-after": "3" })).to.equal(undefined);
  });

  it("reads SharePoint's draft fields RateLimit-Limit, -Remaining and -Reset (seconds)", () => {
    expect(read({ "RateLimit-Limit": "1200", "RateLimit-Remaining": "240", "RateLimit-Reset": "37" })).to.deep.equal({
      limit: 1200,
      remaining: 240,
      resetMs: 37_000,
    });
  });

  it("reads a policy on RateLimit-Limit (`100, 100;w=60`) as limit and window", () => {
    expect(read({ "RateLimit-Limit": "100, 100;w=60", "RateLimit-Remaining": "7" })).to.deep.equal({ limit: 100, windowMs: 60_000, remaining: 7 });
  });

  it("reads the structured dictionary form `RateLimit: limit=, remaining=, reset=`", () => {
    expect(read({ RateLimit: "limit=100, remaining=50, reset=2.5" })).to.deep.equal({ limit: 100, remaining: 50, resetMs: 2500 });
  });

  it("reads draft-07 `RateLimit` policies with `RateLimit-Policy`, keeping the one with the least remaining", () => {
    const hint = read({ RateLimit: '"burst";r=40;t=1, "day";r=3;t=3600', "RateLimit-Policy": '"burst";q=100;w=10, "day";q=5000;w=86400' });
    expect(hint).to.deep.equal({ remaining: 3, resetMs: 3_600_000, limit: 100, windowMs: 10_000 });
  });

  it("reads Graph's x-ms-throttle-limit-percentage as the used share", () => {
    expect(read({ "x-ms-throttle-limit-percentage": "0.85" })).to.deep.equal({ usedRatio: 0.85 });
    expect(read({ "x-ms-throttle-limit-percentage": "1.8" })).to.deep.equal({ usedRatio: 1.8 });
  });

  it("ignores malformed and negative values instead of guessing", () => {
    expect(read({ "RateLimit-Remaining": "-1", "RateLimit-Reset": "soon", "x-ms-throttle-limit-percentage": "high" })).to.equal(undefined);
    expect(read({ RateLimit: "remaining=abc", "RateLimit-Limit": "1e3" })).to.equal(undefined);
  });

  it("does not split on commas inside quoted policy names", () => {
    expect(read({ RateLimit: '"a,b";r=9;t=4' })).to.deep.equal({ remaining: 9, resetMs: 4000 });
  });
});
