import { expect } from "chai";
import type { Context } from "@microsoft/microsoft-graph-client";
import { copyHeaders, getRequestHeader, removeRequestHeader, setRequestHeader } from "../../lib/chain/requestHeaders.js";

describe("chain/requestHeaders", () => {
  it("reads and replaces case-insensitively in a plain record (what GraphRequest builds)", () => {
    const context = { request: "https://x/", options: { headers: { "Client-Request-Id": "a", Accept: "json" } as Record<string, string> } };
    expect(getRequestHeader(context, "client-request-id")).to.equal("a");
    setRequestHeader(context, "client-request-id", "b");
    expect(context.options.headers).to.deep.equal({ Accept: "json", "client-request-id": "b" });
  });

  it("reads a record's own keys only, skipping undefined values, as fetch would send it", () => {
    const inherited = Object.create({ authorization: "Bearer inherited" }) as Record<string, string | undefined>;
    inherited["Accept"] = "json";
    expect(getRequestHeader({ request: "u", options: { headers: inherited as Record<string, string> } }, "authorization")).to.equal(null);
    const record: Record<string, string | undefined> = { AUTHORIZATION: undefined, Authorization: "Bearer b", "x-authorization": "no" };
    expect(getRequestHeader({ request: "u", options: { headers: record as Record<string, string> } }, "Authorization")).to.equal("Bearer b");
    expect(getRequestHeader({ request: "u", options: { headers: { "X-Count": 3 } as unknown as Record<string, string> } }, "x-count")).to.equal("3");
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

  it("replaces a header in a record under any case", () => {
    const context: Context = { request: "https://x/", options: { headers: { authorization: "old", AUTHORIZATION: "older", Accept: "a" } } };
    setRequestHeader(context, "Authorization", "new");
    expect(context.options?.headers).to.deep.equal({ Accept: "a", Authorization: "new" });
    removeRequestHeader(context, "authorization");
    expect(context.options?.headers).to.deep.equal({ Accept: "a" });
  });

  it("works with Headers and with arrays of pairs", () => {
    const headers = new Headers({ Authorization: "old" });
    const withHeaders: Context = { request: "https://x/", options: { headers } };
    setRequestHeader(withHeaders, "authorization", "new");
    expect(headers.get("Authorization")).to.equal("new");

    const pairs: [string, string][] = [["AUTHORIZATION", "a"], ["accept", "b"], ["authorization", "c"]];
    const withPairs: Context = { request: "https://x/", options: { headers: pairs } };
    setRequestHeader(withPairs, "Authorization", "new");
    expect(pairs).to.deep.equal([["accept", "b"], ["Authorization", "new"]]);
    removeRequestHeader(withPairs, "authorization");
    expect(pairs).to.deep.equal([["accept", "b"]]);
  });

  it("creates options or headers when missing", () => {
    const noOptions: Context = { request: "https://x/" };
    setRequestHeader(noOptions, "Authorization", "v");
    expect(noOptions.options?.headers).to.deep.equal({ Authorization: "v" });
    const noHeaders: Context = { request: "https://x/", options: {} };
    setRequestHeader(noHeaders, "Authorization", "v");
    expect(noHeaders.options?.headers).to.deep.equal({ Authorization: "v" });
  });

  it("writes into a Request unless the options carry headers (which fetch would use instead)", () => {
    const request = new Request("https://x/", { headers: { authorization: "old" } });
    const context: Context = { request };
    setRequestHeader(context, "Authorization", "new");
    expect(request.headers.get("authorization")).to.equal("new");

    const request2 = new Request("https://x/", { headers: { authorization: "old" } });
    const context2: Context = { request: request2, options: { headers: { Accept: "a" } } };
    setRequestHeader(context2, "Authorization", "new");
    expect(request2.headers.get("authorization")).to.equal(null);
    expect(context2.options?.headers).to.deep.equal({ Accept: "a", Authorization: "new" });
    removeRequestHeader(context2, "Authorization");
    expect(context2.options?.headers).to.deep.equal({ Accept: "a" });
  });

  it("reads where fetch reads: the options' headers replace a Request's", () => {
    const request = new Request("https://x/", { headers: { authorization: "from-request" } });
    expect(getRequestHeader({ request }, "Authorization")).to.equal("from-request");
    expect(getRequestHeader({ request, options: { headers: { Accept: "a" } } }, "authorization")).to.equal(null);
    expect(getRequestHeader({ request, options: { headers: { AUTHORIZATION: "from-options" } } }, "authorization")).to.equal("from-options");
  });
});
