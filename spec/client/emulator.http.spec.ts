import { expect } from "chai";
import { createServer } from "node:net";
import {
  Client,
  HTTPMessageHandler,
  TelemetryHandler,
  type AuthenticationProvider,
} from "@microsoft/microsoft-graph-client";
import { SecureAuthenticationHandler } from "../../lib/auth/SecureAuthenticationHandler.js";
import { buildMiddlewareChain } from "../../lib/client/buildMiddlewareChain.js";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { GraphClient } from "../../lib/client/CreateGraphClientOptions.js";
import { extendClient } from "../../lib/client/extendClient.js";
import { GraphNetworkError } from "../../lib/errors/GraphNetworkError.js";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { createTestToken, startGraphEmulator, staticTokenProvider } from "../../lib/testing/index.js";
import type { GraphEmulator } from "../../lib/testing/types.js";
import { step } from "./support/fakeTransport.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TENANT = "contoso-tenant";
const TOKEN = createTestToken({ tenantId: TENANT, appId: "app-1" });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

function clientFor(emu: GraphEmulator, extra: { baseUrl?: string; defaultVersion?: "v1.0" | "beta"; authProvider?: AuthenticationProvider } = {}): GraphClient {
  return createGraphClient({
    authProvider: extra.authProvider ?? staticTokenProvider(TOKEN),
    baseUrl: extra.baseUrl ?? emu.url,
    customHosts: [emu.host],
    fetchOptions: emu.fetchOptions,
    retry: false,
    ...(extra.defaultVersion ? { defaultVersion: extra.defaultVersion } : {}),
  });
}

describe("client over real HTTP against the Graph emulator", function () {
  this.timeout(10_000);
  let emu: GraphEmulator;
  let noContent: GraphEmulator;
  let throttled: GraphEmulator;

  before(async () => {
    [emu, noContent, throttled] = await Promise.all([
      startGraphEmulator({ limits: false }),
      startGraphEmulator({ limits: false, patchStatus: 204 }),
      startGraphEmulator({ limits: [{ name: "tiny", requests: "any", scope: "tenant", limit: 1, windowMs: 60_000 }] }),
    ]);
  });
  after(async () => {
    await Promise.all([emu.close(), noContent.close(), throttled.close()]);
  });
  beforeEach(() => {
    emu.reset();
    emu.setFaults(undefined);
  });

  it("update() resolves to the updated entity and the emulator applied it for the token's tenant", async () => {
    const updated = await clientFor(emu).softwareUpdateStatusSummary().update({ displayName: "x", compliantDeviceCount: 4 });
    expect(updated).to.include({ displayName: "x", compliantDeviceCount: 4 });
    expect(updated?.id).to.be.a("string");
    const applied = emu.stats().applied;
    expect(applied).to.have.length(1);
    expect(applied[0]).to.include({ tenant: TENANT, app: "app-1", version: "v1.0" });
    expect(applied[0]?.patch).to.deep.equal({ displayName: "x", compliantDeviceCount: 4 });
    expect(applied[0]?.clientRequestId).to.match(UUID);
    expect(emu.entity(TENANT)).to.include({ displayName: "x", compliantDeviceCount: 4 });
  });

  it("get({ select }) returns only the selected property and id", async () => {
    const client = clientFor(emu);
    await client.softwareUpdateStatusSummary().update({ displayName: "selected", errorUserCount: 9 });
    const result = await client.softwareUpdateStatusSummary().get({ select: ["displayName"] });
    expect(result.displayName).to.equal("selected");
    expect(Object.keys(result).filter((key) => !key.startsWith("@odata"))).to.have.members(["id", "displayName"]);
    const full = await client.softwareUpdateStatusSummary().get();
    expect(full).to.include({ displayName: "selected", errorUserCount: 9 });
  });

  it("uses beta per call and as the client's default version", async () => {
    await clientFor(emu).softwareUpdateStatusSummary().update({ compliantUserCount: 1 }, { version: "beta" });
    await clientFor(emu, { defaultVersion: "beta" }).softwareUpdateStatusSummary().update({ compliantUserCount: 2 });
    expect(emu.stats().applied.map((a) => a.version)).to.deep.equal(["beta", "beta"]);
  });

  it("resolves to undefined when the server answers 204 No Content, and the update was applied", async () => {
    noContent.reset();
    const result = await clientFor(noContent).softwareUpdateStatusSummary().update({ displayName: "quiet" });
    expect(result).to.equal(undefined);
    expect(noContent.entity(TENANT)).to.include({ displayName: "quiet" });
  });

  it("maps a 429 with Retry-After, request-id and client-request-id", async () => {
    throttled.reset();
    const builder = clientFor(throttled).softwareUpdateStatusSummary();
    await builder.get();
    const error = (await rejection(builder.get({ headers: { "client-request-id": "support-case-1" } }))) as GraphRequestError;
    expect(error).to.be.instanceOf(GraphRequestError).and.include({ statusCode: 429, code: "TooManyRequests", clientRequestId: "support-case-1", attempts: 1 });
    expect(error.requestId).to.match(UUID);
    expect(error.requestId).to.equal(error.headers?.get("request-id"));
    expect(error.retryAfterMs).to.be.a("number").and.greaterThan(0);
    expect(error.message).to.match(/^Please retry again later\. \(request-id: [0-9a-f-]{36}, client-request-id: support-case-1, date: \d{4}-/);
    expect(throttled.stats().throttled).to.equal(1);
  });

  it("maps a 404 from an unknown path", async () => {
    const error = (await rejection(clientFor(emu, { baseUrl: `${emu.url}nope/` }).softwareUpdateStatusSummary().get())) as GraphRequestError;
    expect(error).to.be.instanceOf(GraphRequestError).and.include({ statusCode: 404, code: "ResourceNotFound" });
    expect(error.requestId).to.match(UUID);
    expect(error.clientRequestId).to.match(UUID);
    expect(error.message).to.contain("nope").and.contain(`client-request-id: ${error.clientRequestId}`);
  });

  it("maps a 400 the server sends for a body it refuses", async () => {
    // Our validation never sends a bad body, so a step rewrites it on the way out.
    const corrupt = step(async (context, next) => {
      context.options = { ...context.options, body: JSON.stringify({ compliantDeviceCount: "4" }) };
      await next.execute(context);
    });
    const client = extendClient(
      Client.initWithMiddleware({
        middleware: [new SecureAuthenticationHandler(staticTokenProvider(TOKEN)), corrupt, new TelemetryHandler(), new HTTPMessageHandler()],
        baseUrl: emu.url,
        customHosts: new Set([emu.host]),
        fetchOptions: emu.fetchOptions,
      }),
    );
    const error = (await rejection(client.softwareUpdateStatusSummary().update({ compliantDeviceCount: 4 }))) as GraphRequestError;
    expect(error).to.be.instanceOf(GraphRequestError).and.include({ statusCode: 400, code: "BadRequest" });
    expect(error.body).to.contain('"code":"BadRequest"');
    expect(emu.stats().applied).to.have.length(0);
  });

  it("never sends the token to a host missing from customHosts (the server sees none)", async () => {
    const client = extendClient(
      Client.initWithMiddleware({
        middleware: buildMiddlewareChain({ authProvider: staticTokenProvider(TOKEN), retry: false }),
        baseUrl: emu.url,
        fetchOptions: emu.fetchOptions,
      }),
    );
    const error = (await rejection(client.softwareUpdateStatusSummary().get())) as GraphRequestError;
    expect(error).to.include({ statusCode: 401, code: "InvalidAuthenticationToken" });
    expect(error.message).to.match(/^Access token is empty\./);
  });

  it("rejects with signal.reason when aborted mid-request, without waiting for the answer", async () => {
    emu.setFaults({ latencyMs: 2_000 });
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(new Error("caller gave up")), 50);
    const error = await rejection(clientFor(emu).softwareUpdateStatusSummary().get({ signal: controller.signal }));
    expect(error).to.equal(controller.signal.reason);
    expect(performance.now() - started).to.be.lessThan(1_500);
  });

  it("wraps a refused connection in GraphNetworkError, never a bare TypeError", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
      });
    });
    const client = createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: `https://127.0.0.1:${port}/`,
      customHosts: ["127.0.0.1"],
      retry: false,
    });
    const error = (await rejection(client.softwareUpdateStatusSummary().update({ displayName: "x" }))) as GraphNetworkError;
    expect(error).to.be.instanceOf(GraphNetworkError).and.include({ statusCode: -1, code: "NetworkError" });
    expect(error).to.not.be.instanceOf(TypeError);
    expect(error.clientRequestId).to.match(UUID);
    expect((error as { cause?: unknown }).cause).to.be.instanceOf(Error);
    expect(error.message).to.not.contain(TOKEN);
  });

  it("works through the default chain (stock retry step) too", async () => {
    const client = createGraphClient({ authProvider: staticTokenProvider(TOKEN), baseUrl: emu.url, customHosts: [emu.host], fetchOptions: emu.fetchOptions });
    expect(await client.softwareUpdateStatusSummary().update({ remediatedDeviceCount: 5 })).to.include({ remediatedDeviceCount: 5 });
  });

  it("leaves client.api() working on a created client", async () => {
    const client = clientFor(emu);
    await client.softwareUpdateStatusSummary().update({ displayName: "via helper" });
    const raw = (await client.api("/deviceManagement/softwareUpdateStatusSummary").select("displayName").get()) as Record<string, unknown>;
    expect(raw.displayName).to.equal("via helper");
    const error = await rejection(client.api("/deviceManagement/nothingHere").get());
    expect(error).to.have.property("statusCode", 404);
  });

  it("extendClient works on a stock Client.init client", async () => {
    const client = extendClient(
      Client.init({
        authProvider: (done) => done(null, TOKEN),
        baseUrl: emu.url,
        customHosts: new Set([emu.host]),
        fetchOptions: emu.fetchOptions,
      }),
    );
    const updated = await client.softwareUpdateStatusSummary().update({ conflictDeviceCount: 3 });
    expect(updated).to.include({ conflictDeviceCount: 3 });
    expect(await client.softwareUpdateStatusSummary().get({ select: ["conflictDeviceCount"] })).to.include({ conflictDeviceCount: 3 });
    expect(emu.stats().applied[0]).to.include({ tenant: TENANT });
  });
});
