import { expect } from "chai";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";

// The dual-package hazard: an app whose ESM code imports this package while a CommonJS dependency
// requires it gets two copies with two sets of classes. `instanceof` then fails across the copies;
// the is…Error guards must not. This loads the real builds (`npm run build`, run by `npm test`).
const root = fileURLToPath(new URL("../..", import.meta.url));
const esmEntry = `${root}dist/esm/index.js`;
const cjsEntry = `${root}dist/cjs/index.js`;

type Package = typeof import("../../lib/index.js");

const NAMES = [
  "GraphRequestError",
  "GraphNetworkError",
  "AttemptTimeoutError",
  "DeadlineExceededError",
  "RetryAfterTooLongError",
  "ThrottleQueueFullError",
  "ValidationError",
  "InvalidOptionsError",
  "AuthenticationError",
  "RedirectRefusedError",
  "CircuitOpenError",
] as const;

/** One instance of each public error class, made by the given copy. */
function instances(copy: Package): Record<(typeof NAMES)[number], Error> {
  return {
    GraphRequestError: new copy.GraphRequestError(503, "busy"),
    GraphNetworkError: new copy.GraphNetworkError("connection-reset", "reset"),
    AttemptTimeoutError: new copy.AttemptTimeoutError(100),
    DeadlineExceededError: new copy.DeadlineExceededError(100),
    RetryAfterTooLongError: new copy.RetryAfterTooLongError(429, 10_000, 5_000),
    ThrottleQueueFullError: new copy.ThrottleQueueFullError("tenant/app", 1),
    ValidationError: new copy.ValidationError("patch", [{ path: "(root)", message: "empty" }]),
    InvalidOptionsError: new copy.InvalidOptionsError("bad"),
    AuthenticationError: new copy.AuthenticationError("provider-failed", "no token"),
    RedirectRefusedError: new copy.RedirectRefusedError("write-see-other", 303, "refused", { from: "a", to: "b" }),
    CircuitOpenError: new copy.CircuitOpenError("tenant/app@host", 100),
  };
}

describe("error guards across the ESM and CommonJS builds", () => {
  let esm: Package;
  let cjs: Package;
  before(async function () {
    if (!existsSync(esmEntry) || !existsSync(cjsEntry)) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
    esm = (await import(pathToFileURL(esmEntry).href)) as Package;
    cjs = createRequire(import.meta.url)(cjsEntry) as Package;
  });

  it("really loads two copies: instanceof fails across them", () => {
    expect(esm.GraphRequestError).to.not.equal(cjs.GraphRequestError);
    expect(new cjs.GraphRequestError(500, "m")).to.not.be.instanceOf(esm.GraphRequestError);
  });

  it("isGraphRequestError(error from the other copy) is true where instanceof is false", () => {
    const fromCjs = new cjs.GraphRequestError(503, "busy");
    const fromEsm = new esm.GraphRequestError(503, "busy");
    expect(fromCjs instanceof esm.GraphRequestError).to.equal(false);
    expect(esm.isGraphRequestError(fromCjs)).to.equal(true);
    expect(fromEsm instanceof cjs.GraphRequestError).to.equal(false);
    expect(cjs.isGraphRequestError(fromEsm)).to.equal(true);
  });

  for (const [from, to] of [
    ["cjs", "esm"],
    ["esm", "cjs"],
  ] as const) {
    it(`every guard of the ${to} build recognises errors of the ${from} build, subclasses included`, () => {
      const made = instances(from === "cjs" ? cjs : esm);
      const guards = to === "cjs" ? cjs : esm;
      for (const name of NAMES) {
        const guard = guards[`is${name}`] as (value: unknown) => boolean;
        expect(guard(made[name]), `is${name} on a ${from} ${name}`).to.equal(true);
      }
      expect(guards.isGraphRequestError(made.AttemptTimeoutError)).to.equal(true);
      expect(guards.isGraphNetworkError(made.AttemptTimeoutError)).to.equal(true);
      expect(guards.isGraphNetworkError(made.DeadlineExceededError)).to.equal(false);
      expect(guards.isGraphRequestError(made.ValidationError)).to.equal(false);
    });
  }
});
