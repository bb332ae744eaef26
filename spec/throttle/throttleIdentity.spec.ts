import type { Context } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import { ClaimsCache, decodeJwtClaims } from "../../lib/throttle/jwtClaims.js";
import { getRequestHeader } from "../../lib/chain/requestHeaders.js";
import { readRequestTarget, stripVersion } from "../../lib/throttle/readRequestTarget.js";
import { identityFromToken, identityKey } from "../../lib/throttle/throttleIdentity.js";
import { createTestToken } from "../../lib/testing/index.js";

const URL = "https://graph.microsoft.com/v1.0/deviceManagement/softwareUpdateStatusSummary";

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

describe("throttle identity", () => {
  const token = createTestToken({ tenantId: "tenant-1", appId: "app-1" });

  it("decodes tid and appid/azp from a base64url JWT payload (with characters that need - and _)", () => {
    expect(decodeJwtClaims(token)).to.deep.include({ tid: "tenant-1", appid: "app-1" });
    const v2 = `${base64url({ alg: "none" })}.${base64url({ tid: "t", azp: "~~~?>>>" })}.x`;
    expect(v2.split(".")[1]).to.match(/[-_]/);
    expect(decodeJwtClaims(v2)).to.deep.equal({ tid: "t", appid: undefined, azp: "~~~?>>>", oid: undefined });
    expect(decodeJwtClaims("not-a-jwt")).to.equal(undefined);
    expect(decodeJwtClaims("a.!!!.c")).to.equal(undefined);
  });

  it("finds the Authorization header in a plain object, a Headers, an array or a Request", () => {
    const bearer = `Bearer ${token}`;
    const contexts: Context[] = [
      { request: URL, options: { headers: { authorization: bearer } } },
      { request: URL, options: { headers: new Headers({ Authorization: bearer }) } },
      { request: URL, options: { headers: [["Authorization", bearer]] } },
      { request: new Request(URL, { headers: { Authorization: bearer } }), options: {} },
    ];
    for (const context of contexts) {
      expect(getRequestHeader(context, "authorization")).to.equal(bearer);
      expect(identityFromToken(context, readRequestTarget(context), new ClaimsCache())).to.deep.equal({ tenant: "tenant-1", app: "app-1" });
    }
  });

  it("falls back to the URL host when the token is absent or not a JWT", () => {
    const cache = new ClaimsCache();
    const none: Context = { request: URL, options: {} };
    const opaque: Context = { request: URL, options: { headers: { Authorization: "Bearer opaque-token" } } };
    expect(identityFromToken(none, readRequestTarget(none), cache)).to.deep.equal({ tenant: "graph.microsoft.com", app: "*" });
    expect(identityFromToken(opaque, readRequestTarget(opaque), cache)).to.deep.equal({ tenant: "graph.microsoft.com", app: "*" });
    expect(identityKey({ tenant: "t", app: "a" })).to.equal("t/a");
  });

  it("follows the token of each request through one cache, whatever the scheme's spelling", () => {
    const cache = new ClaimsCache();
    const other = createTestToken({ tenantId: "tenant-2", appId: "app-2" });
    const identity = (authorization: string): unknown => {
      const context: Context = { request: URL, options: { headers: { Authorization: authorization } } };
      return identityFromToken(context, readRequestTarget(context), cache);
    };
    const first = { tenant: "tenant-1", app: "app-1" };
    const second = { tenant: "tenant-2", app: "app-2" };
    const host = { tenant: "graph.microsoft.com", app: "*" };
    // The same value twice, another in between, a new string with the same value, and other schemes.
    expect(identity(`Bearer ${token}`)).to.deep.equal(first);
    expect(identity(`Bearer ${token}`)).to.deep.equal(first);
    expect(identity(`bearer   ${other}`)).to.deep.equal(second);
    expect(identity(["Bearer", token].join(" "))).to.deep.equal(first);
    expect(identity(`  BEARER ${other}`)).to.deep.equal(second);
    expect(identity(`Basic ${token}`)).to.deep.equal(host);
    expect(identity(`Bearer ${token}`)).to.deep.equal(first);
  });

  it("caches decoded claims in a bounded map", () => {
    const cache = new ClaimsCache(3);
    for (let i = 0; i < 10; i += 1) cache.get(createTestToken({ tenantId: `t${i}` }));
    expect(cache.size).to.equal(3);
    expect(cache.get(createTestToken({ tenantId: "t9" }))?.tid).to.equal("t9");
  });

  it("reads host, path after the version segment, and method", () => {
    expect(readRequestTarget({ request: URL, options: { method: "patch" } })).to.deep.equal({
      host: "graph.microsoft.com",
      path: "/deviceManagement/softwareUpdateStatusSummary",
      method: "PATCH",
      isWrite: true,
      workload: "intune",
    });
    const beta = readRequestTarget({ request: new Request("https://127.0.0.1:8443/beta/deviceManagement?$select=id"), options: {} });
    expect(beta).to.deep.equal({ host: "127.0.0.1", path: "/deviceManagement", method: "GET", isWrite: false, workload: "intune" });
    expect(stripVersion("/deviceManagement/x")).to.equal("/deviceManagement/x");
    expect(stripVersion("/v1.0")).to.equal("/");
  });
});
