import { expect } from "chai";
import sinon from "sinon";
import { formatRetryAfter, retryAfterValue } from "../../lib/testing/retryAfterHeader.js";
import { parseRetryAfter } from "../../lib/chain/parseRetryAfter.js";

describe("testing/retryAfterHeader", () => {
  it("writes whole seconds rounded up, at least 1 for a positive wait", () => {
    expect(formatRetryAfter(1, "seconds")).to.equal("1");
    expect(formatRetryAfter(999.1, "seconds")).to.equal("1");
    expect(formatRetryAfter(1000, "seconds")).to.equal("1");
    expect(formatRetryAfter(1000.2, "seconds")).to.equal("2");
    expect(formatRetryAfter(0, "seconds")).to.equal("0");
  });

  it("writes fractional seconds with 3 decimals, rounded up to the millisecond", () => {
    expect(formatRetryAfter(136.2, "fractional-seconds")).to.equal("0.137");
    expect(formatRetryAfter(0.01, "fractional-seconds")).to.equal("0.001");
    expect(formatRetryAfter(2128, "fractional-seconds")).to.equal("2.128");
  });

  it("writes an IMF-fixdate rounded up to the next whole second", () => {
    const now = Date.UTC(2024, 0, 2, 3, 4, 5, 600);
    expect(formatRetryAfter(300, "http-date", now)).to.equal("Tue, 02 Jan 2024 03:04:06 GMT");
    expect(formatRetryAfter(400, "http-date", now)).to.equal("Tue, 02 Jan 2024 03:04:06 GMT");
    expect(formatRetryAfter(401, "http-date", now)).to.equal("Tue, 02 Jan 2024 03:04:07 GMT");
  });

  it("uses the current time for HTTP-dates by default", () => {
    const clock = sinon.useFakeTimers({ now: Date.UTC(2030, 5, 15, 12, 0, 0, 250), toFake: ["Date"] });
    try {
      expect(formatRetryAfter(1500, "http-date")).to.equal("Sat, 15 Jun 2030 12:00:02 GMT");
      clock.tick(1000);
      expect(formatRetryAfter(1500, "http-date")).to.equal("Sat, 15 Jun 2030 12:00:03 GMT");
    } finally {
      clock.restore();
    }
  });

  it("never asks for less than the real wait, in any format (round trip through parseRetryAfter)", () => {
    const now = Date.UTC(2024, 0, 2, 3, 4, 5, 123);
    for (const waitMs of [0.5, 1, 17.3, 999, 1001, 4321.9]) {
      for (const format of ["seconds", "fractional-seconds", "http-date"] as const) {
        const parsed = parseRetryAfter(formatRetryAfter(waitMs, format, now), now);
        expect(parsed, `${format} ${waitMs}`).to.be.at.least(waitMs);
      }
    }
  });

  it("writes a limit's Retry-After mode: a format, a fixed value whatever the wait, or none", () => {
    const now = Date.UTC(2030, 0, 1, 0, 0, 0, 0);
    expect(retryAfterValue(1234.5, "fractional-seconds", now)).to.equal("1.235");
    expect(retryAfterValue(1234.5, "seconds", now)).to.equal("2");
    expect(retryAfterValue(1234.5, "http-date", now)).to.equal("Tue, 01 Jan 2030 00:00:02 GMT");
    expect(retryAfterValue(1234.5, { fixedSeconds: 3600 }, now)).to.equal("3600");
    expect(retryAfterValue(90_000, { fixedSeconds: 1 }, now)).to.equal("1");
    expect(retryAfterValue(5, { fixedSeconds: 0.25 }, now)).to.equal("0.25");
    expect(retryAfterValue(1234.5, "none", now)).to.equal(undefined);
  });
});
