import { expect } from "chai";
import { readRetryAfter } from "../../lib/chain/readRetryAfter.js";

const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

describe("readRetryAfter", () => {
  it("reads Retry-After seconds", () => {
    expect(readRetryAfter(new Headers({ "Retry-After": "2.5" }), NOW)).to.equal(2500);
  });

  it("prefers the millisecond headers Azure services send", () => {
    expect(readRetryAfter(new Headers({ "retry-after-ms": "150", "Retry-After": "9" }), NOW)).to.equal(150);
    expect(readRetryAfter(new Headers({ "x-ms-retry-after-ms": "75" }), NOW)).to.equal(75);
    expect(readRetryAfter(new Headers({ "retry-after-ms": "junk", "Retry-After": "1" }), NOW)).to.equal(1000);
  });

  it("measures an HTTP-date against the response's Date header, so local clock skew does not matter", () => {
    const headers = new Headers({ "Retry-After": "Sat, 01 Jun 2024 13:00:05 GMT", Date: "Sat, 01 Jun 2024 13:00:00 GMT" });
    // The local clock is an hour behind the server; the wait is still 5 s.
    expect(readRetryAfter(headers, NOW)).to.equal(5000);
  });

  it("falls back to the local clock without a usable Date header", () => {
    expect(readRetryAfter(new Headers({ "Retry-After": "Sat, 01 Jun 2024 12:00:03 GMT", Date: "nonsense" }), NOW)).to.equal(3000);
    expect(readRetryAfter(new Headers({ "Retry-After": "Sat, 01 Jun 2024 11:00:00 GMT" }), NOW)).to.equal(0);
  });

  it("returns undefined without a usable header", () => {
    expect(readRetryAfter(new Headers(), NOW)).to.equal(undefined);
    expect(readRetryAfter(new Headers({ "Retry-After": "later" }), NOW)).to.equal(undefined);
  });
});
