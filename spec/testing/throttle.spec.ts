import { expect } from "chai";
import { createEmulatorThrottle } from "../../lib/testing/throttle.js";
import { INTUNE_DEVICE_CONFIGURATION_LIMITS } from "../../lib/testing/limits.js";
import type { EmulatorLimit } from "../../lib/testing/types.js";

const limit = (name: string, requests: "write" | "any", scope: EmulatorLimit["scope"], count: number, windowMs: number): EmulatorLimit => ({
  name,
  requests,
  scope,
  limit: count,
  windowMs,
});

describe("testing/throttle", () => {
  it("exports the Intune device configuration limits", () => {
    expect(INTUNE_DEVICE_CONFIGURATION_LIMITS.map((l) => [l.requests, l.scope, l.limit, l.windowMs])).to.deep.equal([
      ["write", "app", 100, 20_000],
      ["write", "tenant", 200, 20_000],
      ["any", "app", 1000, 20_000],
      ["any", "tenant", 2000, 20_000],
    ]);
    expect(Object.isFrozen(INTUNE_DEVICE_CONFIGURATION_LIMITS)).to.equal(true);
  });

  it("counts writes only in write limits and every request in `any` limits", () => {
    const throttle = createEmulatorThrottle([limit("w", "write", "tenant", 1, 1000), limit("a", "any", "tenant", 3, 1000)], 1);
    expect(throttle.admit("t", "x", true, 0).admitted).to.equal(true);
    expect(throttle.admit("t", "x", true, 1)).to.deep.equal({ admitted: false, retryAfterMs: 999, blockedBy: ["w"] });
    expect(throttle.admit("t", "x", false, 2).admitted).to.equal(true);
    expect(throttle.admit("t", "x", false, 3).admitted).to.equal(true);
    expect(throttle.admit("t", "x", false, 4)).to.deep.equal({ admitted: false, retryAfterMs: 996, blockedBy: ["a"] });
  });

  it("limits per app per tenant and per tenant, and never across tenants", () => {
    const throttle = createEmulatorThrottle([limit("app", "any", "app", 2, 1000), limit("tenant", "any", "tenant", 3, 1000)], 1);
    expect(throttle.admit("t1", "a1", false, 0).admitted).to.equal(true);
    expect(throttle.admit("t1", "a1", false, 10).admitted).to.equal(true);
    expect(throttle.admit("t1", "a1", false, 20)).to.deep.equal({ admitted: false, retryAfterMs: 980, blockedBy: ["app"] });
    expect(throttle.admit("t1", "a2", false, 30).admitted).to.equal(true);
    expect(throttle.admit("t1", "a2", false, 40)).to.deep.equal({ admitted: false, retryAfterMs: 960, blockedBy: ["tenant"] });
    // Another tenant is untouched.
    expect(throttle.admit("t2", "a1", false, 50).admitted).to.equal(true);
    expect(throttle.admit("t2", "a1", false, 60).admitted).to.equal(true);
  });

  it("limits per app across all tenants, as Graph's global limit does: every tenant of the app counts, other apps do not", () => {
    const throttle = createEmulatorThrottle([limit("global", "any", "app-all-tenants", 3, 1000)], 1);
    expect(throttle.admit("t1", "a1", false, 0).admitted).to.equal(true);
    expect(throttle.admit("t2", "a1", false, 10).admitted).to.equal(true);
    expect(throttle.admit("t3", "a1", true, 20).admitted).to.equal(true);
    // A fourth tenant of the same app finds the app's window full.
    expect(throttle.admit("t4", "a1", false, 30)).to.deep.equal({ admitted: false, retryAfterMs: 970, blockedBy: ["global"] });
    // Another app, in the same tenants, has a window of its own.
    expect(throttle.admit("t1", "a2", false, 40).admitted).to.equal(true);
    expect(throttle.stats(50)["global"]?.counted).to.equal(4);
  });

  it("answers the longest wait when several windows block", () => {
    const throttle = createEmulatorThrottle([limit("short", "any", "tenant", 1, 100), limit("long", "any", "tenant", 1, 1000)], 1);
    throttle.admit("t", "a", false, 0);
    expect(throttle.admit("t", "a", false, 50)).to.deep.equal({ admitted: false, retryAfterMs: 950, blockedBy: ["short", "long"] });
    expect(throttle.admit("t", "a", false, 500)).to.deep.equal({ admitted: false, retryAfterMs: 500, blockedBy: ["long"] });
  });

  it("consumes nothing for a refused request, in any window", () => {
    const throttle = createEmulatorThrottle([limit("w", "write", "app", 1, 1000), limit("a", "any", "tenant", 2, 1000)], 1);
    throttle.admit("t", "a", true, 0);
    for (let at = 1; at < 100; at += 1) expect(throttle.admit("t", "a", true, at).admitted).to.equal(false);
    // Had the refused writes consumed the `any` window, this read would be refused too.
    expect(throttle.admit("t", "a", false, 100).admitted).to.equal(true);
    expect(throttle.admit("t", "a", true, 999).admitted).to.equal(false);
    expect(throttle.admit("t", "a", true, 1000).admitted).to.equal(true);
  });

  it("scales windows by timeScale", () => {
    const throttle = createEmulatorThrottle([limit("w", "any", "tenant", 1, 20_000)], 0.05);
    throttle.admit("t", "a", false, 0);
    expect(throttle.admit("t", "a", false, 400)).to.deep.equal({ admitted: false, retryAfterMs: 600, blockedBy: ["w"] });
    expect(throttle.admit("t", "a", false, 1000).admitted).to.equal(true);
  });

  it("admits everything without limits, and reset() forgets windows", () => {
    expect(createEmulatorThrottle([], 1).admit("t", "a", true, 0).admitted).to.equal(true);
    const throttle = createEmulatorThrottle([limit("w", "any", "tenant", 1, 1000)], 1);
    throttle.admit("t", "a", false, 0);
    expect(throttle.admit("t", "a", false, 1).admitted).to.equal(false);
    throttle.reset();
    expect(throttle.admit("t", "a", false, 2).admitted).to.equal(true);
  });

  it("drops idle windows so many tenants do not leak, without losing live state", () => {
    const throttle = createEmulatorThrottle([limit("w", "any", "tenant", 1, 100)], 1);
    for (let i = 0; i < 1000; i += 1) throttle.admit(`tenant-${i}`, "a", false, i / 100);
    expect(throttle.windowCount()).to.equal(1000);
    throttle.admit("live", "a", false, 995);
    // The next sweep (at least 1 s after the last) drops the idle windows but keeps the live one.
    throttle.admit("other", "a", false, 1050);
    expect(throttle.windowCount()).to.equal(2);
    expect(throttle.admit("live", "a", false, 1090)).to.deep.equal({ admitted: false, retryAfterMs: 5, blockedBy: ["w"] });
  });
});
