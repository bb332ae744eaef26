import { expect } from "chai";
import { resolveEmulatorOptions } from "../../lib/testing/options.js";
import { DEFAULT_EXPOSED_HEADERS } from "../../lib/testing/cors.js";
import { INTUNE_DEVICE_CONFIGURATION_LIMITS } from "../../lib/testing/limits.js";
import { startGraphEmulator } from "../../lib/testing/index.js";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import type { EmulatorLimit, GraphEmulatorOptions } from "../../lib/testing/types.js";

describe("testing/options", () => {
  it("defaults to HTTPS, Intune limits, timeScale 1, whole-second Retry-After, PATCH 200 and 404 for other paths", () => {
    expect(resolveEmulatorOptions()).to.deep.equal({
      port: 0,
      protocol: "https",
      limits: INTUNE_DEVICE_CONFIGURATION_LIMITS,
      timeScale: 1,
      retryAfterFormat: "seconds",
      clockSkewMs: 0,
      patchStatus: 200,
      otherPaths: "not-found",
      faults: undefined,
      cors: { allowOrigin: "*", exposeHeaders: DEFAULT_EXPOSED_HEADERS },
    });
    expect(resolveEmulatorOptions({ limits: false }).limits).to.deep.equal([]);
  });

  it("rejects invalid options with InvalidOptionsError, at start", async () => {
    const bad: GraphEmulatorOptions[] = [
      { port: -1 },
      { port: 1.5 },
      { timeScale: 0 },
      { timeScale: Number.NaN },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 0, windowMs: 1000 }] },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 1, windowMs: 0 }] },
      { limits: [{ name: "", requests: "any", scope: "tenant", limit: 1, windowMs: 1 }] },
      { protocol: "ftp" as "http" },
      { retryAfterFormat: "minutes" as "seconds" },
      { patchStatus: 201 as 200 },
      { clockSkewMs: Number.POSITIVE_INFINITY },
      { clockSkewMs: "1h" as unknown as number },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 1, windowMs: 1, algorithm: "leaky" as "fixed-window" }] },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 1, windowMs: 1, burst: 2 }] },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 1, windowMs: 1, algorithm: "token-bucket", burst: 0 }] },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 1, windowMs: 1, path: "deviceManagement" }] },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 1, windowMs: 1, retryAfter: "minutes" as "seconds" }] },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 1, windowMs: 1, retryAfter: { fixedSeconds: -1 } }] },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 1, windowMs: 1, countThrottled: "yes" as unknown as boolean }] },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 1, windowMs: 1, nearLimitHeaders: { threshold: 1.5 } }] },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 1, windowMs: 1, schedule: [{ fromMs: 10, untilMs: 10, limit: 1 }] }] },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 1, windowMs: 1, schedule: [{ fromMs: -1, limit: 1 }] }] },
      { limits: [{ name: "x", requests: "any", scope: "tenant", limit: 1, windowMs: 1, schedule: [{ fromMs: 0, limit: 0.5 }] }] },
      { limits: [{ name: "x", algorithm: "concurrency", requests: "any", scope: "tenant", limit: 0 }] },
      { limits: [{ name: "x", algorithm: "concurrency", requests: "any", scope: "tenant", limit: 1, windowMs: 1000 } as EmulatorLimit] },
      { limits: [{ name: "x", algorithm: "concurrency", requests: "any", scope: "tenant", limit: 1, countThrottled: true } as EmulatorLimit] },
      {
        limits: [
          { name: "twice", requests: "any", scope: "tenant", limit: 1, windowMs: 1 },
          { name: "twice", requests: "write", scope: "app", limit: 1, windowMs: 1 },
        ],
      },
    ];
    for (const options of bad) expect(() => resolveEmulatorOptions(options), JSON.stringify(options)).to.throw(InvalidOptionsError);
    let error: unknown;
    try {
      await startGraphEmulator({ faults: { hang: 2 } });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(InvalidOptionsError);
  });

  it("accepts every limit shape, and names the limit and the problem when one is wrong", () => {
    const shapes: EmulatorLimit[] = [
      { name: "sliding", requests: "any", scope: "tenant", limit: 5, windowMs: 1000, retryAfter: "http-date", countThrottled: true, countFaulted: true },
      { name: "fixed", algorithm: "fixed-window", requests: "write", scope: "app", limit: 5, windowMs: 1000, retryAfter: { fixedSeconds: 1 } },
      { name: "bucket", algorithm: "token-bucket", requests: "any", scope: "app", limit: 5, windowMs: 1000, burst: 9, path: "/beta/", retryAfter: "none" },
      { name: "flight", algorithm: "concurrency", requests: "any", scope: "app", limit: 4, schedule: [{ fromMs: 0, untilMs: 10, limit: 1 }] },
      { name: "near", requests: "any", scope: "tenant", limit: 5, windowMs: 1000, nearLimitHeaders: { rateLimit: true, threshold: 0 } },
    ];
    expect(resolveEmulatorOptions({ limits: shapes }).limits).to.equal(shapes);
    expect(() =>
      resolveEmulatorOptions({ limits: [{ name: "sp", requests: "any", scope: "app", limit: 1, windowMs: 1, retryAfter: { fixedSeconds: Number.NaN } }] }),
    ).to.throw(InvalidOptionsError, 'limits[0] ("sp"): retryAfter.fixedSeconds must be a finite number >= 0');
  });
});
