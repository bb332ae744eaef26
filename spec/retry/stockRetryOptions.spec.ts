import { expect } from "chai";
import { RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import { ResilientRetryHandler } from "../../lib/retry/ResilientRetryHandler.js";
import { DEFAULT_RETRY_OPTIONS } from "../../lib/retry/ResilientRetryOptions.js";
import { isStockRetryOptions, stockRetryOverrides } from "../../lib/retry/stockRetryOptions.js";

describe("retry/stockRetryOptions", () => {
  it("maps maxRetries to maxRetries and delay seconds to baseDelayMs", () => {
    expect(stockRetryOverrides(new RetryHandlerOptions(5, 2), DEFAULT_RETRY_OPTIONS)).to.deep.equal({ maxRetries: 2, baseDelayMs: 5000, maxDelayMs: 30_000 });
  });

  it("raises maxDelayMs to a delay above it (the stock handler allows up to 180 s)", () => {
    const handler = new ResilientRetryHandler(new RetryHandlerOptions(60, 1));
    expect(handler.options).to.include({ maxRetries: 1, baseDelayMs: 60_000, maxDelayMs: 60_000 });
  });

  it("keeps our other defaults", () => {
    const { maxRetries, baseDelayMs, ...rest } = new ResilientRetryHandler(new RetryHandlerOptions()).options;
    expect({ maxRetries, baseDelayMs }).to.deep.equal({ maxRetries: 3, baseDelayMs: 3000 });
    expect(rest).to.include({ deadlineMs: DEFAULT_RETRY_OPTIONS.deadlineMs, attemptTimeoutMs: DEFAULT_RETRY_OPTIONS.attemptTimeoutMs });
  });

  it("recognises the stock class, and a copy from another build of the package by shape", () => {
    expect(isStockRetryOptions(new RetryHandlerOptions())).to.equal(true);
    expect(isStockRetryOptions({ delay: 1, maxRetries: 1, shouldRetry: () => true, getMaxDelay: () => 180 })).to.equal(true);
    expect(isStockRetryOptions({ maxRetries: 1 })).to.equal(false);
  });
});
