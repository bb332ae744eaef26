import { expect } from "chai";
import { parseRetryAfter } from "../../lib/chain/parseRetryAfter.js";

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0); // Sat, 01 Jun 2024 12:00:00 GMT

describe("parseRetryAfter", () => {
  it("reads delta-seconds, including Graph's fractions", () => {
    expect(parseRetryAfter("0", NOW)).to.equal(0);
    expect(parseRetryAfter("3", NOW)).to.equal(3000);
    expect(parseRetryAfter("2.128", NOW)).to.equal(2128);
    expect(parseRetryAfter(" 7 ", NOW)).to.equal(7000);
    expect(parseRetryAfter("0.0001", NOW)).to.equal(1);
  });

  it("reads all three HTTP-date forms", () => {
    expect(parseRetryAfter("Sat, 01 Jun 2024 12:00:05 GMT", NOW)).to.equal(5000);
    expect(parseRetryAfter("Saturday, 01-Jun-24 12:00:10 GMT", NOW)).to.equal(10_000);
    expect(parseRetryAfter("Sat Jun  1 12:01:00 2024", NOW)).to.equal(60_000);
  });

  it("reads RFC 850 two-digit years relative to the given clock (within 50 years)", () => {
    const in2099 = Date.UTC(2099, 0, 1);
    expect(parseRetryAfter("Thursday, 01-Jan-99 00:00:03 GMT", in2099)).to.equal(3000);
    expect(parseRetryAfter("Wednesday, 01-Jan-50 00:00:00 GMT", Date.UTC(2024, 0, 1))).to.equal(Date.UTC(2050, 0, 1) - Date.UTC(2024, 0, 1));
  });

  it("turns a date in the past into 0, never a negative delay", () => {
    expect(parseRetryAfter("Sat, 01 Jun 2024 11:00:00 GMT", NOW)).to.equal(0);
    expect(parseRetryAfter("Sun, 06 Nov 1994 08:49:37 GMT", NOW)).to.equal(0);
  });

  it("returns undefined for absent or garbage values so the caller backs off", () => {
    for (const value of [null, undefined, "", "  ", "soon", "-1", "+5", "1e3", "5s", "Sat, 99 Jun 2024 12:00:00 GMT", "Sat, 01 Foo 2024 12:00:00 GMT", "Sat, 01 Jun 2024 25:00:00 GMT", "2024-06-01T12:00:05Z"]) {
      expect(parseRetryAfter(value, NOW), String(value)).to.equal(undefined);
    }
  });

  it("keeps huge delays as they are (the handler decides what is too long)", () => {
    expect(parseRetryAfter("3600", NOW)).to.equal(3_600_000);
    expect(parseRetryAfter("Sun, 02 Jun 2024 12:00:00 GMT", NOW)).to.equal(86_400_000);
  });
});
