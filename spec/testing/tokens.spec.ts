import { expect } from "chai";
import { appFromToken, createTestToken, decodeJwtPayload, tenantFromToken } from "../../lib/testing/tokens.js";
import { staticTokenProvider } from "../../lib/testing/staticTokenProvider.js";

const base64Url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("testing/tokens", () => {
  it("creates an unsigned JWT with tid, appid, Graph audience and a far expiry", () => {
    const token = createTestToken({ tenantId: "contoso", appId: "app-1" });
    const parts = token.split(".");
    expect(parts).to.have.length(3);
    expect(parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part))).to.equal(true);
    const payload = decodeJwtPayload(token);
    expect(payload).to.include({ tid: "contoso", appid: "app-1", aud: "https://graph.microsoft.com" });
    expect(payload?.exp).to.be.a("number").and.above(Date.now() / 1000 + 50 * 365 * 86400);
  });

  it("reads the tenant from tid and the app from appid, then azp", () => {
    expect(tenantFromToken(createTestToken({ tenantId: "t1", appId: "a1" }))).to.equal("t1");
    expect(appFromToken(createTestToken({ tenantId: "t1", appId: "a1" }))).to.equal("a1");
    const azpOnly = `${base64Url({ alg: "none" })}.${base64Url({ tid: "t2", azp: "a2" })}.x`;
    expect(appFromToken(azpOnly)).to.equal("a2");
    const neither = `${base64Url({ alg: "none" })}.${base64Url({ tid: "t3" })}.x`;
    expect(appFromToken(neither)).to.equal("unknown");
  });

  it("uses the raw token as tenant when it is not a JWT", () => {
    expect(tenantFromToken("tenant-a")).to.equal("tenant-a");
    expect(tenantFromToken("a.b.c")).to.equal("a.b.c");
    expect(appFromToken("tenant-a")).to.equal("unknown");
  });

  it("gives no tenant for a JWT without a tid claim", () => {
    expect(tenantFromToken(`${base64Url({ alg: "none" })}.${base64Url({ sub: "x" })}.x`)).to.equal(undefined);
  });

  it("lets extra claims override the defaults", () => {
    expect(decodeJwtPayload(createTestToken({ tenantId: "t", claims: { appid: "other", roles: [] } }))).to.include({ appid: "other" });
  });

  it("staticTokenProvider returns a fixed token or calls a function each time", async () => {
    expect(await staticTokenProvider("abc").getAccessToken()).to.equal("abc");
    let calls = 0;
    const provider = staticTokenProvider(async () => `token-${++calls}`);
    expect(await provider.getAccessToken()).to.equal("token-1");
    expect(await provider.getAccessToken()).to.equal("token-2");
    expect(await staticTokenProvider(() => "sync").getAccessToken()).to.equal("sync");
  });
});
