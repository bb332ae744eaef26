import { expect } from "chai";
import { createEmulatorThrottle } from "../../lib/testing/throttle.js";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import type { EmulatorLimit, EmulatorRateLimit } from "../../lib/testing/types.js";

const SUMMARY = "/v1.0/deviceManagement/softwareUpdateStatusSummary";
const rate = (name: string, limit: number, windowMs: number, extra: Partial<EmulatorRateLimit> = {}): EmulatorLimit => ({
  name,
  requests: "any",
  scope: "tenant",
  limit,
  windowMs,
  ...extra,
});

describe("testing/throttle: limit shapes", () => {
  it("plays each algorithm behind the same interface", () => {
    const throttle = createEmulatorThrottle(
      [
        rate("fixed", 2, 1000, { algorithm: "fixed-window", path: "/v1.0/" }),
        rate("bucket", 10, 1000, { algorithm: "token-bucket", burst: 2, path: "/beta/" }),
      ],
      1,
    );
    const at = (path: string, time: number) => throttle.admit("t", "a", false, time, path).admitted;
    expect([at("/v1.0/x", 900), at("/v1.0/x", 950), at("/v1.0/x", 990)]).to.deep.equal([true, true, false]);
    expect(at("/v1.0/x", 1000)).to.equal(true); // New fixed window.
    expect([at("/beta/x", 0), at("/beta/x", 0), at("/beta/x", 50), at("/beta/x", 100)]).to.deep.equal([true, true, false, true]);
  });

  it("matches a limit's path prefix case-insensitively, and never applies a path limit without a path", () => {
    const throttle = createEmulatorThrottle([rate("beta only", 1, 1000, { path: "/BETA/deviceManagement" })], 1);
    expect(throttle.admit("t", "a", false, 0, "/beta/devicemanagement/softwareUpdateStatusSummary").admitted).to.equal(true);
    expect(throttle.admit("t", "a", false, 1, "/Beta/DeviceManagement/softwareUpdateStatusSummary")).to.deep.include({ admitted: false });
    expect(throttle.admit("t", "a", false, 2, SUMMARY).admitted).to.equal(true);
    expect(throttle.admit("t", "a", false, 3).admitted).to.equal(true);
  });

  it("counts refused requests only in limits with countThrottled, and then they push the wait out", () => {
    const throttle = createEmulatorThrottle(
      [rate("counts refusals", 2, 1000, { countThrottled: true }), rate("writes", 1, 1000, { requests: "write" })],
      1,
    );
    throttle.admit("t", "a", true, 0);
    // Refused by "writes" only; "counts refusals" still counts it (its second request).
    expect(throttle.admit("t", "a", true, 100)).to.deep.equal({ admitted: false, retryAfterMs: 900, blockedBy: ["writes"] });
    expect(throttle.admit("t", "a", false, 200)).to.deep.equal({ admitted: false, retryAfterMs: 800, blockedBy: ["counts refusals"] });
    // That refusal counted too: the window is now 100 and 200, so the wait runs from 100, not from 0.
    expect(throttle.admit("t", "a", false, 1000)).to.deep.equal({ admitted: false, retryAfterMs: 100, blockedBy: ["counts refusals"] });
    expect(throttle.stats(1000)["counts refusals"]).to.deep.include({ counted: 4, throttled: 2 });
    expect(throttle.stats(1000)["writes"]).to.deep.include({ counted: 1, throttled: 1 });
  });

  it("counts faulted requests only in limits with countFaulted", () => {
    const throttle = createEmulatorThrottle([rate("counts faults", 1, 1000, { countFaulted: true }), rate("ignores faults", 1, 1000)], 1);
    throttle.recordFaulted("t", "a", false, 0, SUMMARY);
    expect(throttle.admit("t", "a", false, 10, SUMMARY)).to.deep.equal({ admitted: false, retryAfterMs: 990, blockedBy: ["counts faults"] });
    const stats = throttle.stats(10);
    expect([stats["counts faults"]?.counted, stats["ignores faults"]?.counted]).to.deep.equal([1, 0]);
  });

  it("hands the Retry-After mode of the limit with the longest wait to the answer, only when that limit has one", () => {
    const throttle = createEmulatorThrottle(
      [rate("short fixed", 1, 100, { retryAfter: { fixedSeconds: 3600 } }), rate("long silent", 1, 1000, { retryAfter: "none" }), rate("plain", 1, 50)],
      1,
    );
    throttle.admit("t", "a", false, 0);
    expect(throttle.admit("t", "a", false, 10)).to.deep.equal({
      admitted: false,
      retryAfterMs: 990,
      blockedBy: ["short fixed", "long silent", "plain"],
      retryAfter: "none",
    });
    const plainOnly = createEmulatorThrottle([rate("plain", 1, 50), rate("fixed", 5, 50, { retryAfter: { fixedSeconds: 1 } })], 1);
    plainOnly.admit("t", "a", false, 0);
    expect(plainOnly.admit("t", "a", false, 10)).to.deep.equal({ admitted: false, retryAfterMs: 40, blockedBy: ["plain"] });
  });

  it("limits requests in flight per tenant or app: places are taken at entry and given back once", () => {
    const throttle = createEmulatorThrottle([{ name: "in flight", algorithm: "concurrency", requests: "any", scope: "app", limit: 2 }], 0.5);
    const first = throttle.enter("t", "a", false, 0, SUMMARY);
    const second = throttle.enter("t", "a", false, 0, SUMMARY);
    const third = throttle.enter("t", "a", false, 0, SUMMARY);
    expect([first.blockedBy, second.blockedBy, third.blockedBy]).to.deep.equal([[], [], ["in flight"]]);
    expect(throttle.enter("t", "other app", false, 0, SUMMARY).blockedBy).to.deep.equal([]);
    // The refusal reports 1 s scaled by timeScale; admission passes through.
    expect(throttle.admit("t", "a", false, 1, SUMMARY, third)).to.deep.equal({ admitted: false, retryAfterMs: 500, blockedBy: ["in flight"] });
    expect(throttle.admit("t", "a", false, 1, SUMMARY, first).admitted).to.equal(true);
    first.leave();
    first.leave(); // A second leave gives back nothing more.
    expect(throttle.enter("t", "a", false, 2, SUMMARY).blockedBy).to.deep.equal([]);
    expect(throttle.enter("t", "a", false, 2, SUMMARY).blockedBy).to.deep.equal(["in flight"]);
    expect(throttle.stats(2)["in flight"]).to.deep.equal({
      algorithm: "concurrency",
      limit: 2,
      windowMs: undefined,
      burst: undefined,
      counted: 4,
      throttled: 1,
    });
  });

  it("follows a schedule counted from its epoch, with times scaled", () => {
    const limits = [rate("halved", 4, 20_000, { schedule: [{ fromMs: 20_000, untilMs: 60_000, limit: 2 }] })];
    const throttle = createEmulatorThrottle(limits, 0.05, 10_000); // Windows of 1 s; halved from 11 000 to 13 000.
    for (const at of [10_000, 10_001, 10_002]) expect(throttle.admit("t", "a", false, at).admitted).to.equal(true);
    expect(throttle.stats(10_500).halved).to.deep.include({ limit: 4, windowMs: 1000 });
    // Halved: with 3 in the window, 2 must leave (the second leaves at 11 001) before one more fits.
    expect(throttle.admit("t", "a", false, 11_000)).to.deep.equal({ admitted: false, retryAfterMs: 1, blockedBy: ["halved"] });
    expect(throttle.stats(11_000).halved).to.deep.include({ limit: 2 });
    expect(throttle.admit("t", "a", false, 11_002).admitted).to.equal(true);
    expect(throttle.admit("t", "a", false, 11_003).admitted).to.equal(true);
    expect(throttle.admit("t", "a", false, 11_004)).to.deep.include({ admitted: false });
    // Restored: 4 fit again.
    for (const at of [13_000, 13_001, 13_002, 13_003]) expect(throttle.admit("t", "a", false, at).admitted).to.equal(true);
    expect(throttle.admit("t", "a", false, 13_004)).to.deep.include({ admitted: false });
    expect(throttle.stats(13_004).halved).to.deep.include({ limit: 4, counted: 9, throttled: 3 });
    // reset() restarts the schedule at the given time.
    throttle.reset(20_000);
    expect(throttle.stats(21_000).halved).to.deep.include({ limit: 2, counted: 0, throttled: 0 });
  });

  it("setLimits keeps what a same-named limit counted (a lowered limit bites at once) and drops the rest", () => {
    const throttle = createEmulatorThrottle([rate("kept", 4, 1000), rate("dropped", 9, 1000)], 1);
    for (const at of [0, 1, 2]) throttle.admit("t", "a", false, at);
    throttle.setLimits([rate("kept", 2, 1000), rate("fresh", 1, 1000, { algorithm: "fixed-window" })], 3);
    expect(throttle.admit("t", "a", false, 3)).to.deep.equal({ admitted: false, retryAfterMs: 998, blockedBy: ["kept"] });
    expect(Object.keys(throttle.stats(3))).to.deep.equal(["kept", "fresh"]);
    expect(throttle.stats(3).kept).to.deep.include({ limit: 2, counted: 3, throttled: 1 });
    // Another algorithm under the same name starts afresh.
    throttle.setLimits([rate("kept", 2, 1000, { algorithm: "token-bucket" })], 4);
    expect(throttle.admit("t", "a", false, 4).admitted).to.equal(true);
    expect(throttle.stats(4).kept).to.deep.include({ algorithm: "token-bucket", burst: 2, counted: 1, throttled: 0 });
    // Invalid limits change nothing.
    expect(() => throttle.setLimits([rate("bad", 0, 1000)], 5)).to.throw(InvalidOptionsError);
    expect(Object.keys(throttle.stats(5))).to.deep.equal(["kept"]);
  });

  it("returns near-limit headers on admission only when a limit asks for them", () => {
    const throttle = createEmulatorThrottle(
      [rate("sharepoint-like", 5, 1000, { algorithm: "fixed-window", nearLimitHeaders: { rateLimit: true, throttleLimitPercentage: true } })],
      1,
    );
    for (const at of [0, 1, 2]) expect(throttle.admit("t", "a", false, at)).to.deep.equal({ admitted: true });
    expect(throttle.admit("t", "a", false, 400)).to.deep.equal({
      admitted: true,
      headers: { "RateLimit-Limit": "5", "RateLimit-Remaining": "1", "RateLimit-Reset": "1", "x-ms-throttle-limit-percentage": "0.8" },
    });
  });
});
