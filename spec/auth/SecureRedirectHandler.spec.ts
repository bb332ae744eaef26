import { expect } from "chai";
import { Client, RedirectHandlerOptions, TelemetryHandler, type Context, type Middleware } from "@microsoft/microsoft-graph-client";
import { SecureRedirectHandler } from "../../lib/auth/SecureRedirectHandler.js";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import { RedirectRefusedError } from "../../lib/errors/RedirectRefusedError.js";

interface Seen {
  readonly url: string;
  readonly method: string;
  readonly redirect: RequestRedirect | undefined;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/** The last middleware: records each request and answers from a script. */
class Scripted implements Middleware {
  readonly seen: Seen[] = [];
  constructor(private readonly answer: (seen: Seen, index: number) => Response) {}
  async execute(context: Context): Promise<void> {
    const isRequest = context.request instanceof Request;
    const request = context.request as Request;
    const seen: Seen = {
      url: isRequest ? request.url : (context.request as string),
      method: isRequest ? request.method : (context.options?.method ?? "GET"),
      redirect: context.options?.redirect,
      headers: Object.fromEntries(new Headers(isRequest ? request.headers : context.options?.headers).entries()),
      body: context.options?.body,
    };
    this.seen.push(seen);
    context.response = this.answer(seen, this.seen.length - 1);
  }
}

const redirect = (status: number, location: string): Response => new Response(null, { status, headers: { location } });
const ok = (): Response => new Response("{}", { status: 200 });
/** What a browser hands back for `redirect: "manual"`: status 0, no headers, type "opaqueredirect". */
const opaqueRedirect = (): Response => ({ type: "opaqueredirect", status: 0, headers: new Headers(), body: null, bodyUsed: false }) as unknown as Response;

function handlerOver(next: Middleware, options?: ConstructorParameters<typeof SecureRedirectHandler>[0]): SecureRedirectHandler {
  const handler = new SecureRedirectHandler(options);
  handler.setNext(next);
  return handler;
}
const rejection = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (e: unknown) => e);

describe("auth/SecureRedirectHandler", () => {
  it("validates its options, listing every problem", () => {
    expect(() => new SecureRedirectHandler({ maxRedirects: 21, shouldRedirect: "yes" as never }))
      .to.throw(InvalidOptionsError)
      .with.property("message")
      .that.matches(/maxRedirects must be a whole number from 0 to 20 \(got 21\)/)
      .and.matches(/shouldRedirect must be a function/);
    for (const bad of [-1, 1.5, Number.NaN, "5"]) expect(() => new SecureRedirectHandler({ maxRedirects: bad as number })).to.throw(InvalidOptionsError);
    expect(() => new SecureRedirectHandler(null as never)).to.throw(InvalidOptionsError);
    expect(new SecureRedirectHandler({ maxRedirects: 0 })).to.be.instanceOf(SecureRedirectHandler);
  });

  it("refuses to run as the last middleware", async () => {
    const error = await rejection(new SecureRedirectHandler().execute({ request: "https://graph.microsoft.com/v1.0/me", options: {} }));
    expect(error).to.be.instanceOf(InvalidOptionsError);
  });

  it("follows on copies: the caller's request, options and headers stay as they were", async () => {
    const next = new Scripted((_seen, i) => (i === 0 ? redirect(308, "/v1.0/other") : ok()));
    const headers = { Authorization: "Bearer t", "Content-Type": "application/json" };
    const context: Context = { request: "https://graph.microsoft.com/v1.0/me", options: { method: "PATCH", body: "{}", headers } };
    await handlerOver(next).execute(context);
    expect(context.request).to.equal("https://graph.microsoft.com/v1.0/me");
    expect(context.options).to.deep.equal({ method: "PATCH", body: "{}", headers: { Authorization: "Bearer t", "Content-Type": "application/json" } });
    expect(context.response?.status).to.equal(200);
    expect(next.seen.map((s) => [s.url, s.method, s.redirect, s.body, s.headers.authorization])).to.deep.equal([
      ["https://graph.microsoft.com/v1.0/me", "PATCH", "manual", "{}", "Bearer t"],
      ["https://graph.microsoft.com/v1.0/other", "PATCH", "manual", "{}", "Bearer t"],
    ]);
  });

  it("drops Authorization and Cookie across origins, also from a Request object", async () => {
    const next = new Scripted((_seen, i) => (i === 0 ? redirect(302, "https://cdn.example.net/file") : ok()));
    const request = new Request("https://graph.microsoft.com/v1.0/me/drive/items/1/content", { headers: { Authorization: "Bearer t", Cookie: "a=b", Accept: "*/*" } });
    await handlerOver(next).execute({ request });
    expect(next.seen[1]?.url).to.equal("https://cdn.example.net/file");
    expect(next.seen[1]?.headers).to.deep.equal({ accept: "*/*" });
    expect(request.headers.get("authorization")).to.equal("Bearer t");
  });

  it("refuses a same-origin redirect of a write whose body is a one-shot stream", async () => {
    const next = new Scripted(() => redirect(307, "/v1.0/other"));
    const trace = new RequestTrace();
    const body = new ReadableStream();
    const error = await rejection(
      handlerOver(next).execute({
        request: "https://graph.microsoft.com/v1.0/me",
        options: { method: "PUT", body: body as unknown as BodyInit },
        middlewareControl: { getMiddlewareOptions: (type: unknown) => (type === RequestTrace ? trace : undefined) } as never,
      }),
    );
    expect(error).to.be.instanceOf(RedirectRefusedError).and.include({ reason: "body-not-replayable", statusCode: 307 });
    expect(trace.error).to.equal(error);
    expect(next.seen).to.have.length(1);
  });

  it("hands back a redirect without Location, and any non-redirect status", async () => {
    for (const response of [new Response(null, { status: 302 }), new Response(null, { status: 304, headers: { location: "/x" } })]) {
      const next = new Scripted(() => response);
      const context: Context = { request: "https://graph.microsoft.com/v1.0/me", options: {} };
      await handlerOver(next).execute(context);
      expect(context.response).to.equal(response);
      expect(next.seen).to.have.length(1);
    }
  });

  it("records an invalid per-request RedirectHandlerOptions as a typed error", async () => {
    const option = new RedirectHandlerOptions();
    option.maxRedirects = -1;
    const trace = new RequestTrace();
    const next = new Scripted(() => ok());
    const client = Client.initWithMiddleware({ middleware: [new SecureRedirectHandler(), next] });
    await client.api("https://graph.microsoft.com/v1.0/me").middlewareOptions([option, trace]).get().catch(() => undefined);
    expect(trace.error).to.be.instanceOf(InvalidOptionsError);
    expect((trace.error as Error).message).to.match(/Invalid RedirectHandlerOptions/);
    expect(next.seen).to.have.length(0);
  });

  it("sets the REDIRECT_HANDLER_ENABLED feature flag the TelemetryHandler reports", async () => {
    const next = new Scripted(() => ok());
    const client = Client.initWithMiddleware({ middleware: [new SecureRedirectHandler(), new TelemetryHandler(), next] });
    await client.api("https://graph.microsoft.com/v1.0/me").get();
    expect(next.seen[0]?.headers.sdkversion).to.match(/featureUsage=1\)$/);
  });

  describe("in a browser (redirect: \"manual\" gives an opaque redirect)", () => {
    it("sends a read once more with redirect: \"follow\" so the browser follows it by the Fetch rules", async () => {
      const next = new Scripted((seen) => (seen.redirect === "manual" ? opaqueRedirect() : ok()));
      const context: Context = { request: "https://graph.microsoft.com/v1.0/me/photo/$value", options: { method: "GET" } };
      await handlerOver(next).execute(context);
      expect(next.seen.map((s) => s.redirect)).to.deep.equal(["manual", "follow"]);
      expect(context.response?.status).to.equal(200);
    });

    it("refuses a write instead of letting the browser turn it into a GET", async () => {
      const next = new Scripted(() => opaqueRedirect());
      const error = await rejection(handlerOver(next).execute({ request: "https://graph.microsoft.com/v1.0/x?sig=abc", options: { method: "PATCH", body: "{}" } }));
      expect(error).to.be.instanceOf(RedirectRefusedError).and.include({ reason: "hidden-redirect", statusCode: 0, to: null });
      expect((error as RedirectRefusedError).from).to.equal("https://graph.microsoft.com/v1.0/x?sig=REDACTED");
      expect(next.seen).to.have.length(1);
    });
  });
});
