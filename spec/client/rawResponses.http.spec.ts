import { expect } from "chai";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { GraphClient } from "../../lib/client/CreateGraphClientOptions.js";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { staticTokenProvider } from "../../lib/testing/index.js";

type Script = (req: IncomingMessage, res: ServerResponse) => void;

async function rejection(promise: Promise<unknown>): Promise<GraphRequestError> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => {
      expect(error).to.be.instanceOf(GraphRequestError);
      return error as GraphRequestError;
    },
  );
}

/** Responses no well-behaved server sends, over real (plain, loopback) HTTP. */
describe("client over real HTTP: broken and odd responses", () => {
  let server: Server;
  let script: Script;
  let client: GraphClient;
  const seen: Array<{ method: string | undefined; url: string | undefined; authorization: string | undefined }> = [];

  before(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
      req.resume();
      req.on("end", () => script(req, res));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    client = createGraphClient({
      authProvider: staticTokenProvider("loopback-token"),
      baseUrl: `http://127.0.0.1:${port}/`,
      customHosts: ["127.0.0.1"],
      retry: false,
    });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    seen.length = 0;
  });

  it("sends the token over plain http to a loopback custom host", async () => {
    script = (_req, res) => res.writeHead(200, { "content-type": "application/json" }).end('{"id":"a"}');
    expect(await client.softwareUpdateStatusSummary().get()).to.deep.equal({ id: "a" });
    expect(seen[0]).to.deep.equal({ method: "GET", url: "/v1.0/deviceManagement/softwareUpdateStatusSummary", authorization: "Bearer loopback-token" });
  });

  it("maps an HTML error page to HttpError with a snippet", async () => {
    script = (_req, res) => res.writeHead(502, "Bad Gateway", { "content-type": "text/html" }).end("<html><h1>502 Bad Gateway</h1></html>");
    const error = await rejection(client.softwareUpdateStatusSummary().get());
    expect(error).to.include({ statusCode: 502, code: "HttpError", body: "<html><h1>502 Bad Gateway</h1></html>" });
    expect(error.message).to.match(/^Graph answered 502 Bad Gateway with a body that is not a Graph error: "<html><h1>502 Bad Gateway<\/h1><\/html>" \(request-id: unknown/);
  });

  it("maps an error whose body breaks off mid-way", async () => {
    script = (_req, res) => {
      res.writeHead(500, { "content-type": "application/json", "content-length": "200", "request-id": "rid-1" });
      res.write('{"error":{"code":"generalEx');
      setTimeout(() => res.destroy(), 10);
    };
    const error = await rejection(client.softwareUpdateStatusSummary().get());
    expect(error).to.include({ statusCode: 500, code: "HttpError", requestId: "rid-1", body: null });
    expect(error.message).to.match(/^Graph answered 500 .*and the body could not be read/);
  });

  it("maps a 2xx update whose body breaks off, saying it may have been applied", async () => {
    script = (_req, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "200" });
      res.write('{"id":"x","displayName":');
      setTimeout(() => res.destroy(), 10);
    };
    const error = await rejection(client.softwareUpdateStatusSummary().update({ displayName: "x" }));
    expect(error).to.include({ statusCode: 200, code: "InvalidResponseBody" });
    expect(error.message).to.contain("could not be read").and.contain("may have been applied");
    expect(seen[0]?.method).to.equal("PATCH");
  });

  it("maps a 2xx with a non-JSON body", async () => {
    script = (_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("OK");
    const error = await rejection(client.softwareUpdateStatusSummary().get());
    expect(error).to.include({ statusCode: 200, code: "InvalidResponseBody", body: "OK" });
    expect(error.message).to.match(/^Graph answered 200 OK with a body that is not a JSON object: "OK"; expected the softwareUpdateStatusSummary entity/);
  });

  it("maps an empty 503 with an HTTP-date Retry-After", async () => {
    script = (_req, res) => res.writeHead(503, { "retry-after": new Date(Date.now() + 5_000).toUTCString() }).end();
    const error = await rejection(client.softwareUpdateStatusSummary().get());
    expect(error).to.include({ statusCode: 503, code: "HttpError", body: null });
    expect(error.retryAfterMs).to.be.within(3_000, 5_000);
    expect(error.message).to.match(/^Graph answered 503 Service Unavailable with an empty body/);
  });
});
