import { expect } from "chai";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import { DEFAULT_EXPOSED_HEADERS } from "../../lib/testing/cors.js";
import { createTestToken, startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from "../../lib/testing/index.js";
import { resolveEmulatorOptions } from "../../lib/testing/options.js";

const PATH = "v1.0/deviceManagement/softwareUpdateStatusSummary";
const ORIGIN = "http://127.0.0.1:9";

/** What a browser sends before a cross-origin PATCH with our chain's headers. */
function preflight(emu: GraphEmulator, requestHeaders = "authorization,client-request-id,content-type,retry-attempt,sdkversion"): Promise<Response> {
  return fetch(emu.url + PATH, {
    method: "OPTIONS",
    headers: { Origin: ORIGIN, "Access-Control-Request-Method": "PATCH", "Access-Control-Request-Headers": requestHeaders },
  });
}

describe("testing/cors (emulator over HTTP)", () => {
  const started: GraphEmulator[] = [];
  const start = async (options: GraphEmulatorOptions): Promise<GraphEmulator> => {
    const emu = await startGraphEmulator({ protocol: "http", ...options });
    started.push(emu);
    return emu;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((emu) => emu.close()));
  });

  it("answers a preflight with 204 before authentication, allowing every header our chain sends, and does not count it", async () => {
    const emu = await start({ limits: false });
    const response = await preflight(emu);
    expect(response.status).to.equal(204);
    expect(response.headers.get("access-control-allow-origin")).to.equal("*");
    expect(response.headers.get("access-control-allow-methods")).to.include("PATCH").and.include("GET");
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/,\s*/);
    expect(allowed).to.include.members(["authorization", "content-type", "client-request-id", "retry-attempt", "sdkversion"]);
    expect(emu.stats().requests).to.equal(0);
  });

  it("exposes Graph's headers by default, without Retry-After, on every answer (429 included)", async () => {
    const emu = await start({ limits: [{ name: "one", requests: "any", scope: "tenant", limit: 1, windowMs: 60_000 }] });
    const headers = { Origin: ORIGIN, Authorization: `Bearer ${createTestToken({ tenantId: "contoso" })}` };
    const ok = await fetch(emu.url + PATH, { headers });
    const throttled = await fetch(emu.url + PATH, { headers });
    expect([ok.status, throttled.status]).to.deep.equal([200, 429]);
    for (const response of [ok, throttled]) {
      expect(response.headers.get("access-control-allow-origin")).to.equal("*");
      expect(response.headers.get("access-control-expose-headers")).to.equal(DEFAULT_EXPOSED_HEADERS.join(", "));
    }
    expect(throttled.headers.get("retry-after")).to.match(/^\d+$/);
    expect(DEFAULT_EXPOSED_HEADERS.map((name) => name.toLowerCase())).to.not.include("retry-after");
  });

  it("exposes the headers a test chooses, for one origin", async () => {
    const emu = await start({ limits: false, cors: { allowOrigin: ORIGIN, exposeHeaders: ["Retry-After", "request-id"] } });
    const response = await fetch(emu.url + PATH, { headers: { Origin: ORIGIN } }); // 401: no token
    expect(response.status).to.equal(401);
    expect(response.headers.get("access-control-allow-origin")).to.equal(ORIGIN);
    expect(response.headers.get("access-control-expose-headers")).to.equal("Retry-After, request-id");
    expect(response.headers.get("vary")).to.equal("Origin");
  });

  it("refuses CORS with cors: false: no CORS header anywhere, and a preflight gets the usual 401", async () => {
    const emu = await start({ limits: false, cors: false });
    const response = await preflight(emu);
    expect(response.status).to.equal(401);
    expect(response.headers.get("access-control-allow-origin")).to.equal(null);
    const get = await fetch(emu.url + PATH, { headers: { Origin: ORIGIN, Authorization: `Bearer ${createTestToken({ tenantId: "t" })}` } });
    expect(get.status).to.equal(200);
    expect(get.headers.get("access-control-allow-origin")).to.equal(null);
    expect(get.headers.get("access-control-expose-headers")).to.equal(null);
  });

  it("checks the option through the shared resolver, listing every problem", () => {
    expect(resolveEmulatorOptions({ cors: false }).cors).to.equal(undefined);
    expect(resolveEmulatorOptions({ cors: true }).cors).to.deep.equal({ allowOrigin: "*", exposeHeaders: DEFAULT_EXPOSED_HEADERS });
    expect(resolveEmulatorOptions({ cors: { exposeHeaders: [] } }).cors).to.deep.equal({ allowOrigin: "*", exposeHeaders: [] });
    const bad = { cors: { allowOrigin: "", exposeHeaders: ["Retry After"], exposeHeader: [] } } as unknown as GraphEmulatorOptions;
    let error: unknown;
    try {
      resolveEmulatorOptions(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(InvalidOptionsError);
    const text = (error as Error).message;
    expect(text).to.include("cors.allowOrigin").and.include("cors.exposeHeaders[0]").and.include("exposeHeader");
    expect(() => resolveEmulatorOptions({ cors: "yes" as unknown as boolean })).to.throw(InvalidOptionsError);
  });
});
