import { expect } from "chai";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import { DEFAULT_RETRY_OPTIONS } from "../../lib/retry/ResilientRetryOptions.js";
import { resolveRetryOptions } from "../../lib/retry/resolveRetryOptions.js";

describe("resolveRetryOptions", () => {
  it("returns the documented defaults", () => {
    const o = resolveRetryOptions();
    expect(o).to.include({
      maxRetries: 5,
      backoff: "decorrelated",
      baseDelayMs: 200,
      maxDelayMs: 30_000,
      maxRetryAfterMs: 120_000,
      attemptTimeoutMs: 30_000,
      deadlineMs: 300_000,
      maxResponseBytes: 16 * 1024 * 1024,
    });
    expect(o.retryStatuses).to.deep.equal([429, 502, 503, 504]);
    expect(Object.isFrozen(DEFAULT_RETRY_OPTIONS)).to.equal(true);
  });

  it("merges overrides onto a base and ignores undefined fields", () => {
    const base = resolveRetryOptions(undefined, { maxRetries: 9, baseDelayMs: 10 });
    const o = resolveRetryOptions(base, { baseDelayMs: 20, deadlineMs: undefined });
    expect(o.maxRetries).to.equal(9);
    expect(o.baseDelayMs).to.equal(20);
    expect(o.deadlineMs).to.equal(300_000);
  });

  it("allows more than the stock handler's 10 retries and Infinity where documented", () => {
    const o = resolveRetryOptions(undefined, { maxRetries: 50, deadlineMs: Infinity, attemptTimeoutMs: Infinity, maxRetryAfterMs: Infinity, maxResponseBytes: Infinity });
    expect(o.maxRetries).to.equal(50);
  });

  it("rejects invalid values with InvalidOptionsError listing every problem", () => {
    const bad = [
      { maxRetries: -1 },
      { maxRetries: 1.5 },
      { baseDelayMs: -1 },
      { baseDelayMs: Infinity },
      { maxDelayMs: 10, baseDelayMs: 20 },
      { maxRetryAfterMs: -5 },
      { attemptTimeoutMs: 0 },
      { deadlineMs: -1 },
      { deadlineMs: Number.NaN },
      { maxResponseBytes: 0 },
      { maxResponseBytes: 1.5 },
      { maxResponseBytes: "1MB" as never },
      { retryStatuses: [700] },
      { backoff: "linear" as never },
      { random: 5 as never },
      { shouldRetry: "yes" as never },
    ];
    for (const options of bad) {
      expect(() => resolveRetryOptions(undefined, options), JSON.stringify(options)).to.throw(InvalidOptionsError);
    }
    try {
      resolveRetryOptions(undefined, { maxRetries: -1, deadlineMs: -1 });
      expect.fail("should throw");
    } catch (error) {
      expect((error as Error).message).to.match(/maxRetries/).and.match(/deadlineMs/);
    }
  });

  it("rejects unknown keys and suggests the closest one", () => {
    expect(() => resolveRetryOptions(undefined, { maxRetry: 3 } as never)).to.throw(InvalidOptionsError, /did you mean `maxRetries`/);
  });
});
