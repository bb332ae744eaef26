import { expect } from "chai";
import sinon from "sinon";
import {
  AuthenticationHandlerOptions,
  Client,
  GraphError,
  TelemetryHandler,
  type AuthenticationProvider,
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { SecureAuthenticationHandler } from "../../lib/auth/SecureAuthenticationHandler.js";
import { AuthenticationError } from "../../lib/errors/AuthenticationError.js";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";

/** The last middleware: records what would be sent and answers 200. */
class Recorder implements Middleware {
  readonly seen: Array<{ url: string; headers: Record<string, string> }> = [];
  async execute(context: Context): Promise<void> {
    const url = typeof context.request === "string" ? context.request : context.request.url;
    this.seen.push({ url, headers: Object.fromEntries(new Headers(context.options?.headers).entries()) });
    context.response = new Response("{}", { status: 200, headers: { "content-type": "application/json" } });
  }
}

function provider(token = "secret-token"): AuthenticationProvider & { getAccessToken: sinon.SinonStub } {
  return { getAccessToken: sinon.stub().resolves(token) };
}

function clientWith(handler: SecureAuthenticationHandler, recorder: Recorder, customHosts?: string[], extra: Middleware[] = []): Client {
  return Client.initWithMiddleware({
    middleware: [handler, ...extra, recorder],
    ...(customHosts ? { customHosts: new Set(customHosts) } : {}),
  });
}

describe("auth/SecureAuthenticationHandler", () => {
  it("attaches the token to a Graph host over https, replacing any Authorization the caller set", async () => {
    const auth = provider();
    const recorder = new Recorder();
    await clientWith(new SecureAuthenticationHandler(auth), recorder)
      .api("https://graph.microsoft.com/v1.0/me")
      .header("authorization", "Bearer someone-elses")
      .get();
    expect(recorder.seen[0]?.headers.authorization).to.equal("Bearer secret-token");
    expect(auth.getAccessToken.calledOnceWithExactly(undefined)).to.equal(true);
  });

  it("honours a per-request AuthenticationHandlerOptions override", async () => {
    const auth = provider("default-token");
    const other = provider("other-token");
    const recorder = new Recorder();
    const scopes = { scopes: ["DeviceManagementConfiguration.ReadWrite.All"] };
    await clientWith(new SecureAuthenticationHandler(auth), recorder)
      .api("https://graph.microsoft.com/v1.0/me")
      .middlewareOptions([new AuthenticationHandlerOptions(other, scopes)])
      .get();
    expect(recorder.seen[0]?.headers.authorization).to.equal("Bearer other-token");
    expect(auth.getAccessToken.called).to.equal(false);
    expect(other.getAccessToken.calledOnceWithExactly(scopes)).to.equal(true);

    const onlyScopes = provider("default-token");
    await clientWith(new SecureAuthenticationHandler(onlyScopes), recorder)
      .api("https://graph.microsoft.com/v1.0/me")
      .middlewareOptions([new AuthenticationHandlerOptions(undefined, scopes)])
      .get();
    expect(onlyScopes.getAccessToken.calledOnceWithExactly(scopes)).to.equal(true);
  });

  it("strips the token for hosts that are not Graph hosts or custom hosts", async () => {
    const auth = provider();
    const recorder = new Recorder();
    await clientWith(new SecureAuthenticationHandler(auth), recorder).api("https://evil.example.com/v1.0/me").header("Authorization", "Bearer leaked").get();
    expect(recorder.seen[0]?.headers).to.not.have.property("authorization");
    expect(auth.getAccessToken.called).to.equal(false);
  });

  it("attaches the token to custom hosts from the client config and from its own options", async () => {
    const recorder = new Recorder();
    await clientWith(new SecureAuthenticationHandler(provider()), recorder, ["api.contoso.com"]).api("https://API.contoso.com:8443/v1.0/x").get();
    await clientWith(new SecureAuthenticationHandler(provider(), { customHosts: ["api.fabrikam.com"] }), recorder).api("https://api.fabrikam.com/v1.0/x").get();
    expect(recorder.seen.map((s) => s.headers.authorization)).to.deep.equal(["Bearer secret-token", "Bearer secret-token"]);
  });

  it("sends a token over plain http only to a loopback custom host", async () => {
    const recorder = new Recorder();
    const hosts = new Set(["127.0.0.1", "localhost", "::1", "api.contoso.com", "graph.microsoft.com"]);
    // client.api() only parses https:// URLs, so plain-http targets come in through baseUrl.
    const send = (baseUrl: string): Promise<unknown> =>
      Client.initWithMiddleware({ middleware: [new SecureAuthenticationHandler(provider()), recorder], customHosts: hosts, baseUrl })
        .api("/x")
        .header("Authorization", "Bearer leaked")
        .get();
    for (const base of ["http://127.0.0.1:4000/", "http://localhost:4000/", "http://[::1]:4000/", "http://api.contoso.com/", "http://graph.microsoft.com/"]) {
      await send(base);
    }
    expect(recorder.seen.map((s) => [s.url, s.headers.authorization])).to.deep.equal([
      ["http://127.0.0.1:4000/v1.0/x", "Bearer secret-token"],
      ["http://localhost:4000/v1.0/x", "Bearer secret-token"],
      ["http://[::1]:4000/v1.0/x", "Bearer secret-token"],
      ["http://api.contoso.com/v1.0/x", undefined],
      ["http://graph.microsoft.com/v1.0/x", undefined],
    ]);
  });

  it("sets the AUTHENTICATION_HANDLER_ENABLED feature flag the TelemetryHandler reports", async () => {
    const recorder = new Recorder();
    await clientWith(new SecureAuthenticationHandler(provider()), recorder, undefined, [new TelemetryHandler()])
      .api("https://graph.microsoft.com/v1.0/me")
      .middlewareOptions([new RequestTrace()])
      .get();
    expect(recorder.seen[0]?.headers.sdkversion).to.match(/\(featureUsage=4\)$/);

    const noFlag = new Recorder();
    await clientWith(new SecureAuthenticationHandler(provider()), noFlag, undefined, [new TelemetryHandler()]).api("https://evil.example.com/x").get();
    expect(noFlag.seen[0]?.headers.sdkversion).to.equal(undefined);
  });

  it("fails with a typed AuthenticationFailed error, stored in the trace, when the provider fails", async () => {
    const recorder = new Recorder();
    const failing: AuthenticationProvider = { getAccessToken: () => Promise.reject(new Error("AADSTS700016: app not found")) };
    const trace = new RequestTrace();
    const error = await clientWith(new SecureAuthenticationHandler(failing), recorder)
      .api("https://graph.microsoft.com/v1.0/me")
      .middlewareOptions([trace])
      .get()
      .then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(GraphError);
    expect(trace.error).to.be.instanceOf(GraphRequestError);
    expect(trace.error).to.include({ code: "AuthenticationFailed", statusCode: -1 });
    expect((trace.error as Error).message).to.contain("AADSTS700016");
    expect((trace.error as { cause?: unknown }).cause).to.be.instanceOf(Error);
    expect(recorder.seen).to.have.length(0);
  });

  it("refuses an empty token", async () => {
    const handler = new SecureAuthenticationHandler(provider(""));
    handler.setNext(new Recorder());
    const error = await handler.execute({ request: "https://graph.microsoft.com/v1.0/me", options: {} }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(GraphRequestError).and.include({ code: "AuthenticationFailed" });
    expect((error as Error).message).to.equal("The authentication provider returned no access token");
  });

  it("refuses a token that cannot go into a header before anything is sent, naming the problem and never the token", async () => {
    const cases: Array<[unknown, string]> = [
      ["eyJ0eXAi.secret\npart", "invalid-characters"],
      ["eyJ0eXAi.secret\0part", "invalid-characters"],
      ["   ", "empty"],
      [{ token: "secret" }, "not-a-string"],
    ];
    for (const [token, problem] of cases) {
      const recorder = new Recorder();
      const trace = new RequestTrace();
      const handler = new SecureAuthenticationHandler({ getAccessToken: async () => token as string });
      const error = await clientWith(handler, recorder)
        .api("https://graph.microsoft.com/v1.0/me")
        .middlewareOptions([trace])
        .get()
        .then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(GraphError);
      expect(trace.error).to.be.instanceOf(AuthenticationError).and.instanceOf(GraphRequestError);
      expect(trace.error).to.include({ problem, code: "AuthenticationFailed", statusCode: -1 });
      expect((trace.error as Error).message).to.not.contain("secret");
      expect(recorder.seen).to.have.length(0);
    }
  });

  it("checks every new token, also after one that passed: a provider that turns bad is refused", async () => {
    const tokens = ["good-token", "good-token", "bad\ntoken", "good-token", "other-good-token"];
    const recorder = new Recorder();
    const handler = new SecureAuthenticationHandler({ getAccessToken: async () => tokens.shift() ?? "" });
    handler.setNext(recorder);
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const sent = await handler.execute({ request: "https://graph.microsoft.com/v1.0/me", options: {} }).then(
        () => "sent",
        (e: unknown) => (e instanceof AuthenticationError ? e.problem : "other"),
      );
      outcomes.push(sent);
    }
    expect(outcomes).to.deep.equal(["sent", "sent", "invalid-characters", "sent", "sent"]);
    expect(recorder.seen.map((s) => s.headers["authorization"])).to.deep.equal([
      "Bearer good-token",
      "Bearer good-token",
      "Bearer good-token",
      "Bearer other-good-token",
    ]);
  });

  it("redacts a token the provider's own error message quotes", async () => {
    const trace = new RequestTrace();
    const failing: AuthenticationProvider = { getAccessToken: () => Promise.reject(new Error("cache held Bearer eyJ0eXAiOiJKV1Qi.eyJ0aWQi.sig, expired")) };
    await clientWith(new SecureAuthenticationHandler(failing), new Recorder())
      .api("https://graph.microsoft.com/v1.0/me")
      .middlewareOptions([trace])
      .get()
      .catch(() => undefined);
    expect(trace.error).to.be.instanceOf(AuthenticationError).and.include({ problem: "provider-failed" });
    expect((trace.error as Error).message).to.equal("Could not get an access token: cache held Bearer ***, expired");
  });

  it("works on a Request object and without a middleware control", async () => {
    const recorder = new Recorder();
    const handler = new SecureAuthenticationHandler(provider());
    handler.setNext(recorder);
    const request = new Request("https://graph.microsoft.com/v1.0/me");
    await handler.execute({ request });
    expect(request.headers.get("authorization")).to.equal("Bearer secret-token");
  });

  it("rejects a missing provider and a missing next middleware", async () => {
    expect(() => new SecureAuthenticationHandler(undefined as unknown as AuthenticationProvider)).to.throw(InvalidOptionsError);
    expect(() => new SecureAuthenticationHandler({} as AuthenticationProvider)).to.throw(InvalidOptionsError);
    const lonely = new SecureAuthenticationHandler(provider());
    const error = await lonely.execute({ request: "https://graph.microsoft.com/v1.0/me", options: {} }).then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(InvalidOptionsError);
  });

  it("checks its options with the shared resolver: bad hosts and unknown keys, all in one error", () => {
    let error: InvalidOptionsError | undefined;
    try {
      new SecureAuthenticationHandler(provider(), { customHosts: ["ok.example.com", "https://bad/"], customHost: ["x"] } as never);
    } catch (caught) {
      error = caught as InvalidOptionsError;
    }
    expect(error).to.be.instanceOf(InvalidOptionsError);
    expect(error!.issues.map((issue) => issue.path)).to.deep.equal(["customHost", "customHosts[1]"]);
    expect(error!.message).to.include("did you mean `customHosts`?");
  });
});
