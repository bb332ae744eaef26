import { expect } from "chai";
import { GraphClientError, GraphError } from "@microsoft/microsoft-graph-client";
import * as root from "../../lib/index.js";

/** Each public error class, one instance of it, and the guards it must satisfy (its own and its parents'). */
const CASES: ReadonlyArray<[string, Error, readonly string[]]> = [
  ["GraphRequestError", new root.GraphRequestError(500, "m"), ["GraphRequestError"]],
  ["GraphNetworkError", new root.GraphNetworkError("dns", "m"), ["GraphRequestError", "GraphNetworkError"]],
  ["AttemptTimeoutError", new root.AttemptTimeoutError(10), ["GraphRequestError", "GraphNetworkError", "AttemptTimeoutError"]],
  ["DeadlineExceededError", new root.DeadlineExceededError(10), ["GraphRequestError", "DeadlineExceededError"]],
  ["RetryAfterTooLongError", new root.RetryAfterTooLongError(429, 10, 5), ["GraphRequestError", "RetryAfterTooLongError"]],
  ["ThrottleQueueFullError", new root.ThrottleQueueFullError("t/a", 1), ["GraphRequestError", "ThrottleQueueFullError"]],
  ["ValidationError", new root.ValidationError("x", [{ path: "a", message: "b" }]), ["ValidationError"]],
  ["InvalidOptionsError", new root.InvalidOptionsError("m"), ["InvalidOptionsError"]],
  ["AuthenticationError", new root.AuthenticationError("provider-failed", "m"), ["GraphRequestError", "AuthenticationError"]],
  ["RedirectRefusedError", new root.RedirectRefusedError("write-see-other", 303, "m", { from: "a", to: "b" }), ["GraphRequestError", "RedirectRefusedError"]],
];

const guard = (name: string): ((value: unknown) => boolean) => {
  const fn = (root as unknown as Record<string, unknown>)[`is${name}`];
  expect(fn, `is${name} is exported`).to.be.a("function");
  return fn as (value: unknown) => boolean;
};

describe("error guards", () => {
  for (const [name, error, satisfies] of CASES) {
    it(`${name}: true for its own guard and its parents', false for the others`, () => {
      for (const [other] of CASES) expect(guard(other)(error), `is${other}(new ${name})`).to.equal(satisfies.includes(other));
    });
  }

  it("say false for look-alikes: same name, official errors, non-objects", () => {
    const lookAlikes: unknown[] = [
      Object.assign(new Error("m"), { name: "GraphRequestError" }),
      new GraphError(500, "m"),
      new GraphClientError("m"),
      { name: "InvalidOptionsError", message: "m" },
      null,
      undefined,
      "GraphRequestError",
    ];
    for (const [name] of CASES) for (const value of lookAlikes) expect(guard(name)(value), `is${name}(${String(value)})`).to.equal(false);
  });

  it("keep the brand off enumeration and JSON", () => {
    const error = new root.GraphRequestError(500, "m");
    expect(Object.keys(error)).to.not.include("brand");
    expect(JSON.stringify(error)).to.not.contain("msgraph-software-update-status/");
    expect(Object.getOwnPropertySymbols(error).map((s) => s.description)).to.include("msgraph-software-update-status/GraphRequestError");
  });
});
