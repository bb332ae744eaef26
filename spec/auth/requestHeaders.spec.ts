import { expect } from "chai";
import type { Context } from "@microsoft/microsoft-graph-client";
import { removeRequestHeader, setRequestHeader } from "../../lib/auth/requestHeaders.js";

describe("auth/requestHeaders", () => {
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
});
