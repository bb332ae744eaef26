import { expect } from "chai";
import sinon from "sinon";
import { publishWaitLimit, readWaitLimit, refuseWait } from "../../lib/chain/waitLimit.js";
import { DeadlineExceededError } from "../../lib/errors/DeadlineExceededError.js";
import { RetryAfterTooLongError } from "../../lib/errors/RetryAfterTooLongError.js";

describe("waitLimit", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it("travels with the attempt's signal, and is absent without a retry handler", () => {
    const signal = new AbortController().signal;
    const limit = { maxRetryAfterMs: 120_000, deadlineMs: 300_000, startedAt: performance.now() };
    expect(readWaitLimit(signal)).to.equal(undefined);
    expect(readWaitLimit(undefined)).to.equal(undefined);
    expect(readWaitLimit(null)).to.equal(undefined);
    publishWaitLimit(signal, limit);
    expect(readWaitLimit(signal)).to.equal(limit);
    expect(readWaitLimit(new AbortController().signal)).to.equal(undefined);
  });

  it("refuses a wait longer than maxRetryAfterMs with RetryAfterTooLongError, as the retry handler does", () => {
    const limit = { maxRetryAfterMs: 120_000, deadlineMs: Number.POSITIVE_INFINITY, startedAt: 0 };
    expect(refuseWait(limit, 120_000, { statusCode: 429 })).to.equal(undefined);
    const error = refuseWait(limit, 3_600_000, { statusCode: 503, clientRequestId: "cid" });
    expect(error).to.be.instanceOf(RetryAfterTooLongError);
    expect(error).to.deep.include({ statusCode: 503, retryAfterMs: 3_600_000, maxRetryAfterMs: 120_000, clientRequestId: "cid", code: "RetryAfterTooLong" });
  });

  it("refuses a wait that would not end before the call's deadline with DeadlineExceededError", () => {
    const limit = { maxRetryAfterMs: 120_000, deadlineMs: 60_000, startedAt: performance.now() };
    expect(refuseWait(limit, 59_999, { statusCode: 429 })).to.equal(undefined);
    clock.tick(50_000);
    expect(refuseWait(limit, 9_999, { statusCode: 429 })).to.equal(undefined);
    const error = refuseWait(limit, 10_000, { statusCode: 429 });
    expect(error).to.be.instanceOf(DeadlineExceededError);
    expect(error).to.deep.include({ deadlineMs: 60_000 });
  });
});
