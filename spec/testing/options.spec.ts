import { expect } from "chai";
import { resolveEmulatorOptions } from "../../lib/testing/options.js";
import { DEFAULT_EXPOSED_HEADERS } from "../../lib/testing/cors.js";
import { INTUNE_DEVICE_CONFIGURATION_LIMITS } from "../../lib/testing/limits.js";
import { startGraphEmulator } from "../../lib/testing/index.js";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import type { GraphEmulatorOptions } from "../../lib/testing/types.js";

describe("testing/options", () => {
  it("defaults to HTTPS, Intune limits, timeScale 1, whole-second Retry-After and PATCH 200", () => {
    expect(resolveEmulatorOptions()).to.deep.equal({
      port: 0,
      protocol: "https",
      limits: INTUNE_DEVICE_CONFIGURATION_LIMITS,
      timeScale: 1,
      retryAfterFormat: "seconds",
      clockSkewMs: 0,
      patchStatus: 200,
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
});
