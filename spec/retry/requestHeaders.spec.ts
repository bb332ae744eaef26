import { expect } from "chai";
import { copyHeaders, getRequestHeader, setRequestHeader } from "../../lib/retry/requestHeaders.js";

describe("requestHeaders", () => {
  it("reads and replaces case-insensitively in a plain record (what GraphRequest builds)", () => {
    const context = { request: "https://x/", options: { headers: { "Client-Request-Id": "a", Accept: "json" } as Record<string, string> } };
    expect(getRequestHeader(context, "client-request-id")).to.equal("a");
    setRequestHeader(context, "client-request-id", "b");
    expect(context.options.headers).to.deep.equal({ Accept: "json", "client-request-id": "b" });
  });

  it("handles Headers, pairs, missing headers and missing options", () => {
    const h = { request: "u", options: { headers: new Headers({ x: "1" }) } };
    setRequestHeader(h, "X", "2");
    expect(getRequestHeader(h, "x")).to.equal("2");
    const pairs = { request: "u", options: { headers: [["X", "1"], ["y", "2"]] as [string, string][] } };
    setRequestHeader(pairs, "x", "3");
    expect(pairs.options.headers).to.deep.equal([["y", "2"], ["x", "3"]]);
    expect(getRequestHeader(pairs, "X")).to.equal("3");
    const bare: { request: string; options?: RequestInit } = { request: "u" };
    expect(getRequestHeader(bare, "x")).to.equal(null);
    setRequestHeader(bare, "x", "4");
    expect(bare.options?.headers).to.deep.equal({ x: "4" });
  });

  it("writes to a Request object when there is one", () => {
    const request = new Request("https://x/");
    const context = { request, options: {} };
    setRequestHeader(context, "Retry-Attempt", "1");
    expect(request.headers.get("retry-attempt")).to.equal("1");
    expect(getRequestHeader(context, "retry-attempt")).to.equal("1");
  });

  it("copies headers so an attempt cannot change the caller's", () => {
    const record = { a: "1" };
    const copy = copyHeaders(record) as Record<string, string>;
    copy.a = "2";
    expect(record.a).to.equal("1");
    const headers = new Headers({ a: "1" });
    (copyHeaders(headers) as Headers).set("a", "2");
    expect(headers.get("a")).to.equal("1");
    const pairs: [string, string][] = [["a", "1"]];
    const pairsCopy = copyHeaders(pairs) as [string, string][];
    (pairsCopy[0] as [string, string])[1] = "2";
    expect(pairs[0]?.[1]).to.equal("1");
    expect(copyHeaders(undefined)).to.equal(undefined);
  });
});
