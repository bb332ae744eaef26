import { expect } from "chai";
import { Client, HTTPMessageHandler, RedirectHandler, RedirectHandlerOptions, type FetchOptions } from "@microsoft/microsoft-graph-client";
import type { Agent } from "undici";
import { SecureAuthenticationHandler } from "../../lib/auth/SecureAuthenticationHandler.js";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { GraphClient } from "../../lib/client/CreateGraphClientOptions.js";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { RedirectRefusedError } from "../../lib/errors/RedirectRefusedError.js";
import { createTestToken, staticTokenProvider } from "../../lib/testing/index.js";
import { ENTITY, graphLike, startRecordingServer, trustingDispatcher, type RecordingServer } from "./support/recordingServer.js";

const TOKEN = createTestToken({ tenantId: "11111111-2222-3333-4444-555555555555" });
const SUMMARY_PATH = "/v1.0/deviceManagement/softwareUpdateStatusSummary";

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );

/** Answers the first request with a redirect, then like Graph. */
const redirectOnce = (status: number, location: string) => {
  let sent = false;
  return (request: Parameters<typeof graphLike>[0]) => {
    if (sent) return graphLike(request);
    sent = true;
    return { status, headers: { location } };
  };
};

describe("auth/SecureRedirectHandler over real HTTP", () => {
  let graph: RecordingServer; // https://127.0.0.1:P, the Graph side (a custom host)
  let plainGraph: RecordingServer; // http://127.0.0.1:Q, a loopback Graph side over plain HTTP
  let evil: RecordingServer; // http://127.0.0.2:E, another host
  let evilTls: RecordingServer; // https://127.0.0.1:F, another origin (port) over https
  let dispatcher: Agent;

  before(async () => {
    [graph, plainGraph, evil, evilTls, dispatcher] = await Promise.all([
      startRecordingServer("https"),
      startRecordingServer("http"),
      startRecordingServer("http", "127.0.0.2"),
      startRecordingServer("https"),
      trustingDispatcher(),
    ]);
  });
  after(async () => {
    await Promise.all([graph.close(), plainGraph.close(), evil.close(), evilTls.close()]);
    await dispatcher.close();
  });
  beforeEach(() => {
    for (const server of [graph, plainGraph, evil, evilTls]) {
      server.requests.length = 0;
      server.answer = graphLike;
    }
  });

  const clientFor = (server: RecordingServer): GraphClient =>
    createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: `${server.origin}/`,
      // Every port of 127.0.0.1 passes the destination check, so only the origin rule keeps the
      // token from evilTls (127.0.0.1, another port).
      customHosts: ["127.0.0.1"],
      fetchOptions: { dispatcher } as unknown as FetchOptions,
    });
  const tokensAt = (server: RecordingServer): unknown[] => server.requests.map((r) => r.headers.authorization).filter((a) => a !== undefined);

  it("proof of the hole: the official RedirectHandler sends the token to http:/evil", async () => {
    plainGraph.answer = redirectOnce(302, `http:/${evil.hostPort}/collect`);
    const client = Client.initWithMiddleware({
      middleware: [new SecureAuthenticationHandler(staticTokenProvider(TOKEN)), new RedirectHandler(), new HTTPMessageHandler()],
      baseUrl: `${plainGraph.origin}/`,
      customHosts: new Set(["127.0.0.1"]),
    });
    await client.api("/deviceManagement/softwareUpdateStatusSummary").get();
    expect(tokensAt(evil)).to.deep.equal([`Bearer ${TOKEN}`]);
  });

  describe("no token reaches another host, whatever the Location form", () => {
    const forms = (): Array<[string, string]> => [
      ["http:/evil/x", `http:/${evil.hostPort}/collect`],
      ["http:evil", `http:${evil.hostPort}/collect`],
      ["http:\\\\evil", `http:\\\\${evil.hostPort}\\collect`],
      ["absolute http://evil", `http://${evil.hostPort}/collect`],
      ["//evil/x (scheme-relative)", `//${evilTls.hostPort}/collect`],
      ["absolute https://evil", `${evilTls.origin}/collect`],
    ];

    for (const status of [302, 307]) {
      it(`GET answered ${status}: downgrades refused, cross-origin hops sent without the token`, async () => {
        for (const [label, location] of forms()) {
          graph.requests.length = 0;
          graph.answer = redirectOnce(status, location);
          const outcome = await clientFor(graph)
            .softwareUpdateStatusSummary()
            .get()
            .then(
              (entity) => ({ entity }),
              (error: unknown) => ({ error }),
            );
          expect(tokensAt(evil), label).to.deep.equal([]);
          expect(tokensAt(evilTls), label).to.deep.equal([]);
          expect(graph.requests, label).to.have.length(1);
          if (location.startsWith("http:")) {
            expect("error" in outcome && outcome.error, label).to.be.instanceOf(RedirectRefusedError).and.include({ reason: "downgrade", statusCode: status });
          } else {
            expect("entity" in outcome && outcome.entity, label).to.deep.equal(ENTITY);
          }
        }
        expect(evil.requests).to.have.length(0);
        expect(evilTls.requests.map((r) => r.method)).to.deep.equal(["GET", "GET"]);
      });

      it(`PATCH answered ${status}: refused, and nothing reaches the other host`, async () => {
        for (const [label, location] of forms()) {
          graph.requests.length = 0;
          graph.answer = redirectOnce(status, location);
          const error = await rejection(clientFor(graph).softwareUpdateStatusSummary().update({ displayName: "x" }));
          expect(error, label).to.be.instanceOf(RedirectRefusedError);
          const reason = location.startsWith("http:") ? "downgrade" : "write-cross-origin";
          expect(error, label).to.include({ reason, statusCode: status, code: "RedirectRefused" });
          expect(graph.requests.map((r) => r.method), label).to.deep.equal(["PATCH"]);
        }
        expect(evil.requests).to.have.length(0);
        expect(evilTls.requests).to.have.length(0);
      });
    }

    it("over plain loopback HTTP: http:/evil resolves on the same origin, //evil leaves without the token", async () => {
      plainGraph.answer = redirectOnce(302, `http:/${evil.hostPort}/collect`);
      expect(await clientFor(plainGraph).softwareUpdateStatusSummary().get()).to.deep.equal(ENTITY);
      // WHATWG: "http:/x" against an http: base is a path on the same origin, as a browser reads it.
      expect(plainGraph.requests.map((r) => r.path)).to.deep.equal([SUMMARY_PATH, `/${evil.hostPort}/collect`]);
      expect(evil.requests).to.have.length(0);

      plainGraph.requests.length = 0;
      plainGraph.answer = redirectOnce(302, `//${evil.hostPort}/collect`);
      evil.answer = graphLike;
      expect(await clientFor(plainGraph).softwareUpdateStatusSummary().get()).to.deep.equal(ENTITY);
      expect(evil.requests).to.have.length(1);
      expect(evil.requests[0]?.headers.authorization).to.equal(undefined);
    });
  });

  it("refuses a 303 answering a PATCH and sends no GET", async () => {
    graph.answer = redirectOnce(303, SUMMARY_PATH);
    const error = await rejection(clientFor(graph).softwareUpdateStatusSummary().update({ displayName: "x" }));
    expect(error).to.be.instanceOf(RedirectRefusedError).and.include({ reason: "write-see-other", statusCode: 303 });
    expect((error as Error).message).to.match(/^Refused the 303 redirect of PATCH https:\/\/127\.0\.0\.1:\d+\/v1\.0\/deviceManagement\/softwareUpdateStatusSummary to https:/);
    expect((error as Error).message).to.contain("never re-sent as a GET");
    expect(graph.requests.map((r) => r.method)).to.deep.equal(["PATCH"]);
  });

  it("follows a relative Location for a GET on the same origin, with the token", async () => {
    graph.answer = redirectOnce(302, "/v1.0/moved/summary?$select=id");
    expect(await clientFor(graph).softwareUpdateStatusSummary().get()).to.deep.equal(ENTITY);
    expect(graph.requests.map((r) => [r.method, r.path])).to.deep.equal([
      ["GET", SUMMARY_PATH],
      ["GET", "/v1.0/moved/summary?$select=id"],
    ]);
    expect(tokensAt(graph)).to.deep.equal([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`]);
    expect(graph.requests[1]?.headers["client-request-id"]).to.be.a("string").and.equal(graph.requests[0]?.headers["client-request-id"]);
  });

  for (const status of [307, 308]) {
    it(`re-sends a PATCH answered ${status} on the same origin with the same method, body and token`, async () => {
      graph.answer = redirectOnce(status, "/v1.0/deviceManagement/elsewhere");
      expect(await clientFor(graph).softwareUpdateStatusSummary().update({ displayName: "moved" })).to.equal(undefined);
      const [first, second] = graph.requests;
      expect(second?.method).to.equal("PATCH");
      expect(second?.path).to.equal("/v1.0/deviceManagement/elsewhere");
      expect(second?.body).to.equal(first?.body).and.contain('"displayName":"moved"');
      expect(second?.headers.authorization).to.equal(`Bearer ${TOKEN}`);
    });
  }

  it("refuses https -> http with redacted URLs in the error", async () => {
    graph.answer = redirectOnce(301, `http://${evil.hostPort}/collect?access_token=leak&$select=id`);
    const error = (await rejection(clientFor(graph).softwareUpdateStatusSummary().get())) as RedirectRefusedError;
    expect(error).to.be.instanceOf(RedirectRefusedError).and.include({ reason: "downgrade", statusCode: 301 });
    expect(error.to).to.equal(`http://${evil.hostPort}/collect?access_token=REDACTED&%24select=id`);
    expect(error.from).to.equal(`${graph.origin}${SUMMARY_PATH}`);
    expect(error.message).to.not.contain("leak");
    expect(error.clientRequestId).to.be.a("string").and.equal(graph.requests[0]?.headers["client-request-id"]);
    expect(evil.requests).to.have.length(0);
  });

  it("stops after 5 hops by default with a typed error", async () => {
    graph.answer = () => ({ status: 302, headers: { location: "/v1.0/loop" } });
    const error = await rejection(clientFor(graph).softwareUpdateStatusSummary().get());
    expect(error).to.be.instanceOf(RedirectRefusedError).and.include({ reason: "too-many-redirects" });
    expect(graph.requests).to.have.length(6);
  });

  it("honours a per-request official RedirectHandlerOptions: maxRedirects, 0, and shouldRedirect", async () => {
    graph.answer = () => ({ status: 302, headers: { location: "/v1.0/loop" } });
    const builder = clientFor(graph).softwareUpdateStatusSummary();
    const limited = await rejection(builder.get({ middlewareOptions: [new RedirectHandlerOptions(1)] }));
    expect(limited).to.be.instanceOf(RedirectRefusedError).and.include({ reason: "too-many-redirects" });
    expect(graph.requests).to.have.length(2);

    graph.requests.length = 0;
    const none = await rejection(builder.get({ middlewareOptions: [new RedirectHandlerOptions(0)] }));
    expect(none).to.be.instanceOf(GraphRequestError).and.not.instanceOf(RedirectRefusedError);
    expect(none).to.include({ statusCode: 302 });
    expect(graph.requests).to.have.length(1);

    graph.requests.length = 0;
    const vetoed = await rejection(builder.get({ middlewareOptions: [new RedirectHandlerOptions(5, () => false)] }));
    expect(vetoed).to.include({ statusCode: 302 }).and.not.be.instanceOf(RedirectRefusedError);
    expect(graph.requests).to.have.length(1);
  });
});
