import { Client } from "@microsoft/microsoft-graph-client";
import type { SoftwareUpdateStatusSummary } from "@microsoft/microsoft-graph-types";
import { expect } from "chai";
import { X509Certificate } from "node:crypto";
import { createTestToken, startGraphEmulator, staticTokenProvider, type GraphEmulator } from "../../lib/testing/index.js";
import { call, SUMMARY, wait } from "./support/helpers.js";

const PATH = "/deviceManagement/softwareUpdateStatusSummary";

describe("testing/startGraphEmulator (over HTTPS)", () => {
  let emu: GraphEmulator;
  before(async () => {
    emu = await startGraphEmulator({ limits: false });
  });
  after(() => emu.close());
  beforeEach(() => emu.reset());

  const initClient = (token: string): Client =>
    Client.init({ authProvider: (done) => done(null, token), baseUrl: emu.url, customHosts: new Set([emu.host]), fetchOptions: emu.fetchOptions });
  const initWithMiddleware = (token: string): Client =>
    Client.initWithMiddleware({
      authProvider: staticTokenProvider(token),
      baseUrl: emu.url,
      customHosts: new Set([emu.host]),
      fetchOptions: emu.fetchOptions,
    });

  it("exposes an https url with a trailing slash, the host for customHosts, and the CA", () => {
    expect(emu.url).to.equal(`https://127.0.0.1:${emu.port}/`);
    expect(emu.host).to.equal("127.0.0.1");
    const certificate = new X509Certificate(emu.ca ?? "");
    expect(certificate.subjectAltName).to.include("IP Address:127.0.0.1").and.include("DNS:localhost");
  });

  for (const [name, init] of [
    ["Client.init", initClient],
    ["Client.initWithMiddleware", initWithMiddleware],
  ] as const) {
    it(`round-trips GET and PATCH with the stock ${name}, in v1.0 and beta, one entity per tenant`, async () => {
      const client = init(createTestToken({ tenantId: "contoso", appId: "app-1" }));
      const initial = (await client.api(PATH).get()) as SoftwareUpdateStatusSummary;
      expect(initial).to.include({ displayName: null, compliantDeviceCount: 0 });
      const patched = (await client
        .api(PATH)
        .version("beta")
        .patch({ "@odata.type": "#microsoft.graph.softwareUpdateStatusSummary", displayName: "Ring 2", compliantDeviceCount: 7 })) as SoftwareUpdateStatusSummary;
      expect(patched).to.include({ id: initial.id, displayName: "Ring 2", compliantDeviceCount: 7 });
      // beta and v1.0 share the entity.
      expect(await client.api(PATH).version("v1.0").select(["compliantDeviceCount"]).get()).to.deep.equal({
        "@odata.type": "#microsoft.graph.softwareUpdateStatusSummary",
        id: initial.id,
        compliantDeviceCount: 7,
      });
      expect(emu.stats().applied.map((u) => [u.tenant, u.app, u.version])).to.deep.equal([["contoso", "app-1", "beta"]]);
      // Another tenant has its own entity.
      const other = init(createTestToken({ tenantId: "fabrikam" }));
      const otherEntity = (await other.api(PATH).get()) as SoftwareUpdateStatusSummary;
      expect(otherEntity.compliantDeviceCount).to.equal(0);
      expect(otherEntity.id).to.not.equal(initial.id);
      expect(emu.entity("contoso")?.compliantDeviceCount).to.equal(7);
      expect(emu.entity("fabrikam")?.compliantDeviceCount).to.equal(0);
    });
  }

  it("gets the token only because the host is in customHosts (proof the stock client really attaches it)", async () => {
    const client = Client.init({ authProvider: (done) => done(null, "tenant-x"), baseUrl: emu.url, fetchOptions: emu.fetchOptions });
    let error: unknown;
    try {
      await client.api(PATH).get();
    } catch (caught) {
      error = caught;
    }
    expect(error).to.include({ statusCode: 401, code: "InvalidAuthenticationToken" });
    expect(await initClient("tenant-x").api(PATH).get()).to.have.property("id");
  });

  it("surfaces Graph errors as the stock GraphError with code and request-id", async () => {
    let error: unknown;
    try {
      await initClient("tenant-y").api(PATH).patch({ compliantDeviceCount: "7" });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.include({ statusCode: 400, code: "BadRequest" });
    expect((error as { requestId: string }).requestId).to.match(/^[0-9a-f-]{36}$/);
  });

  it("is not trusted by a plain fetch without its dispatcher (TLS is not disabled globally)", async () => {
    let error: unknown;
    try {
      await fetch(emu.url + SUMMARY);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(TypeError);
    const code = (error as { cause?: { code?: string } }).cause?.code;
    expect(code).to.be.oneOf(["DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"]);
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).to.equal(undefined);
  });

  it("trusts localhost too, through its own dispatcher", async () => {
    const response = await fetch(`https://localhost:${emu.port}/${SUMMARY}`, { ...emu.fetchOptions, headers: { authorization: "Bearer t" } });
    expect(response.status).to.equal(200);
  });

  it("counts requests in progress at once (maxConcurrent), from request start to response end", async () => {
    const sequential = await startGraphEmulator({ limits: false });
    try {
      for (let i = 0; i < 5; i += 1) await call(sequential);
      expect(sequential.stats().maxConcurrent).to.equal(1);
      sequential.setFaults({ hang: 1 });
      const hung = Array.from({ length: 25 }, () => call(sequential).then(
        () => "answered",
        () => "closed",
      ));
      while (sequential.stats().requests < 30) await wait(10);
      expect(sequential.stats().maxConcurrent).to.equal(25);
      await sequential.close();
      expect(new Set(await Promise.all(hung))).to.deep.equal(new Set(["closed"]));
    } finally {
      await sequential.close();
    }
  });

  it("serves 200 concurrent PATCHes and logs exactly the acknowledged ones, applied atomically", async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        call(emu, { body: { compliantDeviceCount: i, nonCompliantDeviceCount: i }, headers: { "client-request-id": `c-${i}` } }),
      ),
    );
    expect(results.every((r) => r.status === 200)).to.equal(true);
    const stats = emu.stats();
    expect(stats.applied).to.have.length(200);
    expect(stats.applied.map((u) => u.seq)).to.deep.equal(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(new Set(stats.applied.map((u) => u.clientRequestId)).size).to.equal(200);
    expect(stats.applied.map((u) => u.requestId).sort()).to.deep.equal(results.map((r) => r.headers.get("request-id")).sort());
    // Each response shows its own update applied whole; the final entity is the last applied one.
    for (const result of results) {
      const body = result.json as { compliantDeviceCount: number; nonCompliantDeviceCount: number };
      expect(body.compliantDeviceCount).to.equal(body.nonCompliantDeviceCount);
    }
    const last = stats.applied.at(-1)?.patch.compliantDeviceCount;
    expect(emu.entity("tenant-a")).to.include({ compliantDeviceCount: last, nonCompliantDeviceCount: last });
    expect(stats.maxConcurrent).to.be.greaterThan(1);
  });

  it("returns copies from entity() and stats()", async () => {
    await call(emu, { body: { errorUserCount: 1 } });
    const entity = emu.entity("tenant-a") as Record<string, unknown>;
    entity.errorUserCount = 99;
    expect(emu.entity("tenant-a")?.errorUserCount).to.equal(1);
    const stats = emu.stats();
    await call(emu, { body: { errorUserCount: 2 } });
    expect(stats.applied).to.have.length(1);
    expect(emu.entity("never-seen")).to.equal(undefined);
  });

  it("reset() clears stats and entities", async () => {
    await call(emu, { body: { errorUserCount: 1 } });
    emu.reset();
    expect(emu.entity("tenant-a")).to.equal(undefined);
    expect(emu.stats()).to.deep.include({ requests: 0, byStatus: {}, applied: [], throttled: 0 });
  });
});

describe("testing/startGraphEmulator lifecycle", () => {
  it("serves plain HTTP with protocol: http", async () => {
    const emu = await startGraphEmulator({ protocol: "http" });
    try {
      expect(emu.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(emu.ca).to.equal(undefined);
      const response = await fetch(emu.url + SUMMARY, { headers: { authorization: "Bearer t" } });
      expect(response.status).to.equal(200);
    } finally {
      await emu.close();
    }
  });

  it("starts quickly again in the same process (the certificate is cached)", async () => {
    const started = performance.now();
    const emus = await Promise.all(Array.from({ length: 5 }, () => startGraphEmulator()));
    expect(performance.now() - started).to.be.below(2000);
    expect(new Set(emus.map((e) => e.ca)).size).to.equal(1);
    expect(new Set(emus.map((e) => e.port)).size).to.equal(5);
    await Promise.all(emus.map((e) => e.close()));
  });

  it("closes promptly with hung and latent requests and idle connections, then refuses connections", async () => {
    const emu = await startGraphEmulator({ faults: { hang: 0.5, latencyMs: 5_000, seed: 3 } });
    const pending = Array.from({ length: 20 }, () => call(emu).then(
      () => "answered",
      () => "rejected",
    ));
    while (emu.stats().requests < 20) await wait(10);
    const closeStarted = performance.now();
    await emu.close();
    expect(performance.now() - closeStarted).to.be.below(1000);
    expect(await Promise.all(pending)).to.deep.equal(new Array(20).fill("rejected"));
    // close() is idempotent.
    await emu.close();
    let error: unknown;
    try {
      await fetch(emu.url + SUMMARY);
    } catch (caught) {
      error = caught;
    }
    expect((error as { cause?: { code?: string } }).cause?.code).to.equal("ECONNREFUSED");
  });

  it("fails to start on a port in use", async () => {
    const emu = await startGraphEmulator();
    try {
      let error: unknown;
      try {
        await startGraphEmulator({ port: emu.port });
      } catch (caught) {
        error = caught;
      }
      expect((error as { code?: string }).code).to.equal("EADDRINUSE");
    } finally {
      await emu.close();
    }
  });
});
