import { expect } from "chai";
import { arrayOf, oneOf, positiveInteger, positiveNumber } from "../../lib/chain/optionRules.js";
import { definedOnly, nestedOptions, optionSchema, resolveOptions } from "../../lib/chain/resolveOptions.js";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";

interface Limit {
  readonly limit?: number;
  readonly windowMs?: number;
}
interface Options {
  readonly size?: number;
  readonly mode?: "fast" | "slow";
  readonly limits?: readonly Limit[];
  readonly inner?: Limit;
}

const LIMIT = optionSchema<Limit>()({
  name: "limit",
  defaults: { windowMs: 1000 },
  required: ["limit"],
  rules: { limit: positiveInteger, windowMs: positiveNumber },
});
const OPTIONS = optionSchema<Options>()({
  name: "test options",
  defaults: { size: 10, mode: "fast" },
  rules: { size: positiveInteger, mode: oneOf(["fast", "slow"]), limits: arrayOf(nestedOptions(LIMIT), "an array of limits"), inner: nestedOptions(LIMIT) },
  retired: { speed: "use mode" },
  refine: ({ size, mode }, report) => {
    if (mode === "slow" && typeof size === "number" && size > 100) report("size", "must be at most 100 in slow mode");
  },
});

function issuesOf(input: unknown): { path: string; message: string }[] {
  try {
    resolveOptions(OPTIONS, input);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidOptionsError);
    return [...(error as InvalidOptionsError).issues];
  }
  throw new Error("expected InvalidOptionsError");
}

describe("chain/resolveOptions", () => {
  it("fills defaults, drops undefined values and leaves options without a default unset", () => {
    expect(resolveOptions(OPTIONS, undefined)).to.deep.equal({ size: 10, mode: "fast" });
    expect(resolveOptions(OPTIONS, { size: undefined, mode: "slow" })).to.deep.equal({ size: 10, mode: "slow" });
    expect(resolveOptions(OPTIONS, { inner: { limit: 3 } }).inner).to.deep.equal({ limit: 3, windowMs: 1000 });
  });

  it("merges onto a base instead of the defaults when given one", () => {
    expect(resolveOptions(OPTIONS, { mode: undefined }, { size: 20, mode: "slow" })).to.deep.equal({ size: 20, mode: "slow" });
  });

  it("reports every problem at once, with nested paths", () => {
    expect(issuesOf({ size: 0, mode: "warp", limits: [{ limit: 1 }, { windowMs: -1 }], inner: "x" })).to.deep.equal([
      { path: "size", message: "must be an integer >= 1, got 0" },
      { path: "mode", message: 'must be "fast" or "slow", got string "warp"' },
      { path: "limits[1].limit", message: "is required" },
      { path: "limits[1].windowMs", message: "must be a finite number > 0, got -1" },
      { path: "inner", message: "must be an object of limit, got string \"x\"" },
    ]);
  });

  it("rejects unknown keys with a suggestion, retired keys with their replacement, and far-off keys with the list", () => {
    expect(issuesOf({ sise: 3, speed: 1, zzzzzzzz: 1, inner: { limt: 2 } })).to.deep.equal([
      { path: "sise", message: "is not an option; did you mean `size`?" },
      { path: "speed", message: "is no longer an option: use mode" },
      { path: "zzzzzzzz", message: "is not an option (known: size, mode, limits, inner)" },
      { path: "inner.limt", message: "is not an option; did you mean `limit`?" },
      { path: "inner.limit", message: "is required" },
    ]);
  });

  it("runs checks between options, and rejects a non-object", () => {
    expect(issuesOf({ size: 500, mode: "slow" })).to.deep.equal([{ path: "size", message: "must be at most 100 in slow mode" }]);
    expect(issuesOf(null)).to.deep.equal([{ path: "(root)", message: "must be an object of test options, got null" }]);
  });

  it("lists the problems in the message, like ValidationError", () => {
    expect(() => resolveOptions(OPTIONS, { size: 0, mode: "warp" })).to.throw(
      InvalidOptionsError,
      'Invalid test options (2 problems):\n  - size: must be an integer >= 1, got 0\n  - mode: must be "fast" or "slow", got string "warp"',
    );
  });

  it("gives a one-message InvalidOptionsError one issue about the whole input", () => {
    const error = new InvalidOptionsError("extendClient needs a Client");
    expect(error.message).to.equal("extendClient needs a Client");
    expect(error.issues).to.deep.equal([{ path: "(root)", message: "extendClient needs a Client" }]);
  });

  it("drops undefined values in one helper", () => {
    expect(definedOnly({ a: 1, b: undefined, c: null })).to.deep.equal({ a: 1, c: null });
  });
});
