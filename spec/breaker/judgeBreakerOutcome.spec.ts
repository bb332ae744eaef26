import { expect } from "chai";
import type { Context } from "@microsoft/microsoft-graph-client";
import { judgeBreakerOutcome } from "../../lib/breaker/judgeBreakerOutcome.js";
import { ThrottleQueueFullError } from "../../lib/errors/ThrottleQueueFullError.js";

const withStatus = (status: number): Context => ({ request: "https://graph.microsoft.com/v1.0/me", options: {}, response: new Response(null, { status }) });
const aborted = (reason: unknown): Context => {
  const controller = new AbortController();
  controller.abort(reason);
  return { request: "https://graph.microsoft.com/v1.0/me", options: { signal: controller.signal } };
};

describe("breaker/judgeBreakerOutcome", () => {
  it("counts 5xx and 408 as failures, 429 as neutral, other statuses as successes", () => {
    const judged = [200, 204, 400, 401, 403, 404, 408, 429, 500, 502, 503, 504].map((s) => [s, judgeBreakerOutcome(withStatus(s), false, undefined)]);
    expect(judged).to.deep.equal([
      [200, "success"],
      [204, "success"],
      [400, "success"],
      [401, "success"],
      [403, "success"],
      [404, "success"],
      [408, "failure"],
      [429, "neutral"],
      [500, "failure"],
      [502, "failure"],
      [503, "failure"],
      [504, "failure"],
    ]);
  });

  it("counts network failures and the attempt's own timeout as failures; a caller's abort and a handler's refusal say nothing", () => {
    const reset = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("socket"), { code: "ECONNRESET" }) });
    const ok: Context = { request: "https://graph.microsoft.com/v1.0/me", options: {} };
    expect(judgeBreakerOutcome(ok, true, reset)).to.equal("failure");
    expect(judgeBreakerOutcome(aborted(new DOMException("The operation timed out", "TimeoutError")), true, new Error("aborted"))).to.equal("failure");
    expect(judgeBreakerOutcome(aborted(new Error("caller went away")), true, new Error("aborted"))).to.equal("neutral");
    expect(judgeBreakerOutcome(ok, true, new ThrottleQueueFullError("t/a", 1))).to.equal("neutral");
  });
});
