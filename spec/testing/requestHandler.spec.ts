import { expect } from "chai";
import { startGraphEmulator, createTestToken, type GraphEmulator } from "../../lib/testing/index.js";
import { call, graphError, SUMMARY, UUID, type CallResult } from "./support/helpers.js";

const ODATA_TYPE = "#microsoft.graph.softwareUpdateStatusSummary";

/** Checks the headers every emulator response carries. */
function expectStandardHeaders(result: CallResult, clientRequestId?: string): void {
  expect(result.headers.get("request-id")).to.match(UUID);
  if (clientRequestId === undefined) expect(result.headers.get("client-request-id")).to.match(UUID);
  else expect(result.headers.get("client-request-id")).to.equal(clientRequestId);
  expect(JSON.parse(result.headers.get("x-ms-ags-diagnostic") ?? "")).to.have.property("ServerInfo");
  expect(Number.isNaN(Date.parse(result.headers.get("date") ?? ""))).to.equal(false);
  if (result.text !== "") expect(result.headers.get("content-type")).to.equal("application/json");
}

/** Checks a Graph-shaped error body and returns its error object. */
function expectGraphError(result: CallResult, status: number, code: string): { code: string; message: string; innerError: Record<string, string> } {
  expect(result.status, result.text).to.equal(status);
  expectStandardHeaders(result);
  const error = graphError(result);
  expect(error.code).to.equal(code);
  expect(error.message).to.be.a("string").and.not.equal("");
  expect(error.innerError["request-id"]).to.equal(result.headers.get("request-id"));
  expect(error.innerError["client-request-id"]).to.equal(result.headers.get("client-request-id"));
  expect(error.innerError.date).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
  return error;
}

describe("testing/requestHandler (over HTTPS)", () => {
  let emu: GraphEmulator;
  before(async () => {
    emu = await startGraphEmulator({ limits: false });
  });
  after(() => emu.close());
  beforeEach(() => emu.reset());

  describe("GET", () => {
    it("returns the initial entity of a tenant, without @odata.context", async () => {
      const result = await call(emu, { token: createTestToken({ tenantId: "contoso" }) });
      expect(result.status).to.equal(200);
      expectStandardHeaders(result);
      const body = result.json as Record<string, unknown>;
      expect(body["@odata.type"]).to.equal(ODATA_TYPE);
      expect(body).to.not.have.property("@odata.context");
      expect(body.displayName).to.equal(null);
      expect(body.id).to.match(UUID);
      expect(Object.keys(body)).to.have.length(17);
      expect(emu.entity("contoso")).to.deep.equal(body);
    });

    it("echoes the client-request-id", async () => {
      const result = await call(emu, { headers: { "client-request-id": "my-id-123" } });
      expectStandardHeaders(result, "my-id-123");
    });

    it("tolerates a trailing slash, a query string, any case and $expand", async () => {
      for (const path of [`${SUMMARY}/`, `${SUMMARY}?foo=bar`, "beta/DeviceManagement/softwareupdatestatussummary/?$expand=*"]) {
        expect((await call(emu, { path })).status, path).to.equal(200);
      }
    });

    it("applies $select, always keeping id and @odata.type", async () => {
      const result = await call(emu, { path: `${SUMMARY}?$select=compliantDeviceCount,displayName` });
      expect(result.status).to.equal(200);
      expect(Object.keys(result.json as object)).to.deep.equal(["@odata.type", "id", "displayName", "compliantDeviceCount"]);
    });

    it("answers 400 for an unknown property in $select, naming it", async () => {
      const error = expectGraphError(await call(emu, { path: `${SUMMARY}?$select=id,nope` }), 400, "BadRequest");
      expect(error.message).to.include("'nope'");
    });
  });

  describe("PATCH", () => {
    it("applies a valid body and answers 200 with the full updated entity", async () => {
      const result = await call(emu, { body: { "@odata.type": ODATA_TYPE, displayName: "Ring 1", errorDeviceCount: 3 } });
      expect(result.status).to.equal(200);
      expectStandardHeaders(result);
      expect(result.json).to.include({ displayName: "Ring 1", errorDeviceCount: 3, compliantDeviceCount: 0, "@odata.type": ODATA_TYPE });
      expect(Object.keys(result.json as object)).to.have.length(17);
      expect(emu.entity("tenant-a")).to.deep.equal(result.json);
      const [applied] = emu.stats().applied;
      expect(applied).to.include({ seq: 1, tenant: "tenant-a", app: "unknown", version: "v1.0", requestId: result.headers.get("request-id") });
      expect(applied?.patch).to.deep.equal({ displayName: "Ring 1", errorDeviceCount: 3 });
    });

    it("answers 204 with no body when patchStatus is 204", async () => {
      const emu204 = await startGraphEmulator({ patchStatus: 204, limits: false });
      try {
        const result = await call(emu204, { body: { compliantUserCount: 9 } });
        expect(result.status).to.equal(204);
        expect(result.text).to.equal("");
        expect(result.headers.get("content-type")).to.equal(null);
        expectStandardHeaders(result);
        expect(emu204.entity("tenant-a")?.compliantUserCount).to.equal(9);
      } finally {
        await emu204.close();
      }
    });

    const badBodies: [string, string | unknown, string][] = [
      ["bad JSON", "{not json", "not valid JSON"],
      ["an array", [], "JSON object"],
      ["an unknown property", { compliantDeviceCounts: 1 }, "'compliantDeviceCounts'"],
      ["the read-only id", { id: "x" }, "'id' is read-only"],
      ["a counter as a string", { errorUserCount: "5" }, "'errorUserCount'"],
      ["a fractional counter", { errorUserCount: 1.5 }, "'errorUserCount'"],
      ["a negative counter", { errorUserCount: -1 }, "'errorUserCount'"],
      ["a counter above Int32", { errorUserCount: 2147483648 }, "'errorUserCount'"],
      ["a numeric displayName", { displayName: 1 }, "'displayName'"],
      ["a wrong @odata.type", { "@odata.type": "#microsoft.graph.device" }, "'@odata.type'"],
    ];
    for (const [what, body, named] of badBodies) {
      it(`answers 400 for ${what}, naming the problem, and applies nothing`, async () => {
        const result = await call(emu, typeof body === "string" ? { method: "PATCH", rawBody: body } : { body });
        const error = expectGraphError(result, 400, "BadRequest");
        expect(error.message).to.include(named);
        expect(emu.stats().applied).to.have.length(0);
        expect(emu.entity("tenant-a")).to.equal(undefined);
      });
    }
  });

  describe("errors", () => {
    it("answers 401 InvalidAuthenticationToken without a Bearer token", async () => {
      for (const headers of [{}, { authorization: "Basic dXNlcjpwYXNz" }, { authorization: "Bearer " }] as Record<string, string>[]) {
        const result = await call(emu, { token: null, headers });
        expectGraphError(result, 401, "InvalidAuthenticationToken");
        expect(result.headers.get("www-authenticate")).to.match(/^Bearer /);
      }
    });

    it("answers 401 for a JWT without a tid claim", async () => {
      const token = createTestToken({ tenantId: "x", claims: { tid: undefined } });
      const error = expectGraphError(await call(emu, { token }), 401, "InvalidAuthenticationToken");
      expect(error.message).to.include("tid");
    });

    it("never puts the token in an error", async () => {
      const token = createTestToken({ tenantId: "contoso-secret-check" });
      for (const options of [{ path: "v1.0/nowhere" }, { method: "POST" }, { body: { bad: 1 } }, { path: `${SUMMARY}?$select=x` }]) {
        const result = await call(emu, { token, ...options });
        expect(result.status).to.be.within(400, 499);
        expect(result.text).to.not.include(token.split(".")[1] as string);
      }
    });

    it("answers 404 ResourceNotFound for unknown paths, naming the segment", async () => {
      for (const [path, segment] of [
        ["v1.0/deviceManagement/managedDevices", "managedDevices"],
        ["v2.0/deviceManagement/softwareUpdateStatusSummary", "v2.0"],
        ["", ""],
      ]) {
        const error = expectGraphError(await call(emu, { path }), 404, "ResourceNotFound");
        expect(error.message).to.include(`'${segment}'`);
        expect(error.innerError.code).to.equal("Request_ResourceNotFound");
      }
    });

    it("answers 405 MethodNotAllowed with an Allow header for other methods on the entity", async () => {
      for (const method of ["POST", "PUT", "DELETE"]) {
        const result = await call(emu, { method, rawBody: method === "DELETE" ? undefined : "{}" });
        const error = expectGraphError(result, 405, "MethodNotAllowed");
        expect(error.message).to.include(method);
        expect(result.headers.get("allow")).to.equal("GET, PATCH");
      }
    });

    it("answers 413 for a body over 1 MiB", async () => {
      const result = await call(emu, { method: "PATCH", rawBody: `{"displayName":"${"x".repeat(1024 * 1024)}"}` });
      expectGraphError(result, 413, "RequestEntityTooLarge");
    });
  });
});
