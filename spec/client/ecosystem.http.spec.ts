import { expect } from "chai";
import {
  AuthenticationHandlerOptions,
  ChaosHandler,
  ChaosHandlerOptions,
  ChaosStrategy,
  RedirectHandlerOptions,
  RetryHandlerOptions,
  TelemetryHandlerOptions,
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { CreateGraphClientOptions, GraphClient } from "../../lib/client/CreateGraphClientOptions.js";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { GraphNetworkError } from "../../lib/errors/GraphNetworkError.js";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import { RedirectRefusedError } from "../../lib/errors/RedirectRefusedError.js";
import { ThrottleQueueFullError } from "../../lib/errors/ThrottleQueueFullError.js";
import type { ThrottleStore } from "../../lib/throttle/ThrottleStore.js";
import { ResilientRetryHandler } from "../../lib/retry/ResilientRetryHandler.js";
import { startGraphEmulator, staticTokenProvider } from "../../lib/testing/index.js";
import type { GraphEmulator } from "../../lib/testing/types.js";

const SUMMARY = "/deviceManagement/softwareUpdateStatusSummary";
const TOKEN = "secret-bearer-token-0123456789";

/** A plain-HTTP loopback server that redirects every request to itself. */
async function redirectingServer(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(302, { location: req.url ?? "/" }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

function redirectClient(server: Server, logger?: CreateGraphClientOptions["logger"]): GraphClient {
  const { port } = server.address() as AddressInfo;
  return createGraphClient({
    authProvider: staticTokenProvider(TOKEN),
    baseUrl: `http://127.0.0.1:${port}/`,
    customHosts: ["127.0.0.1"],
    throttle: false,
    retry: false,
    ...(logger === undefined ? {} : { logger }),
  });
}

describe("client over real HTTP: the Graph ecosystem (stock options, open chain, traces, logger)", () => {
  let emu: GraphEmulator;
  before(async () => {
    emu = await startGraphEmulator({ limits: false });
  });
  afterEach(() => emu.setFaults(undefined));
  after(async () => {
    await emu.close();
  });

  function client(options: Partial<CreateGraphClientOptions> = {}): GraphClient {
    return createGraphClient({
      authProvider: staticTokenProvider(TOKEN),
      baseUrl: emu.url,
      customHosts: ["127.0.0.1"],
      fetchOptions: emu.fetchOptions,
      throttle: false,
      ...options,
      retry: options.retry ?? { baseDelayMs: 1, maxDelayMs: 5 },
    });
  }

  async function failing(promise: Promise<unknown>): Promise<unknown> {
    return promise.then(
      () => expect.fail("expected a rejection"),
      (error: unknown) => error,
    );
  }

  describe("stock RetryHandlerOptions keep their meaning", () => {
    it("per request, RetryHandlerOptions(0, 0) sends exactly one request", async () => {
      emu.setFaults({ unavailable: 1 });
      const before = emu.stats().requests;
      await failing(client().api(SUMMARY).middlewareOptions([new RetryHandlerOptions(0, 0)]).get());
      expect(emu.stats().requests - before).to.equal(1);
    });

    it("per request, shouldRetry → false sends exactly one request, asked with the stock arguments", async () => {
      emu.setFaults({ unavailable: 1 });
      const before = emu.stats().requests;
      const calls: unknown[][] = [];
      const stock = new RetryHandlerOptions(0, 3, (...args) => (calls.push(args), false));
      await failing(client().api(SUMMARY).middlewareOptions([stock]).get());
      expect(emu.stats().requests - before).to.equal(1);
      expect(calls).to.have.length(1);
      const [delay, attempt, request, , response] = calls[0]!;
      expect(delay).to.equal(0);
      expect(attempt).to.equal(0);
      expect(String(request)).to.contain(SUMMARY);
      expect((response as Response).status).to.equal(503);
    });

    it("per request, maxRetries is the count of retries", async () => {
      emu.setFaults({ unavailable: 1 });
      const before = emu.stats().requests;
      await failing(client().api(SUMMARY).middlewareOptions([new RetryHandlerOptions(0, 2)]).get());
      expect(emu.stats().requests - before).to.equal(3);
    });

    it("per request, a RetryHandlerOptions whose fields were changed to invalid values fails the call, named in the trace", async () => {
      const stock = new RetryHandlerOptions(0, 0);
      stock.maxRetries = -1;
      const trace = new RequestTrace();
      const before = emu.stats().requests;
      await failing(client().api(SUMMARY).middlewareOptions([stock, trace]).get());
      expect(trace.error).to.be.instanceOf(InvalidOptionsError);
      expect(String((trace.error as Error).message)).to.contain("maxRetries");
      expect(emu.stats().requests - before).to.equal(0);
    });

    it("per client, createGraphClient({ retry: new RetryHandlerOptions(0, 0) }) and the handler honour it", async () => {
      emu.setFaults({ unavailable: 1 });
      let before = emu.stats().requests;
      const stockClient = createGraphClient({
        authProvider: staticTokenProvider(TOKEN),
        baseUrl: emu.url,
        customHosts: ["127.0.0.1"],
        fetchOptions: emu.fetchOptions,
        throttle: false,
        retry: new RetryHandlerOptions(0, 0),
      });
      await failing(stockClient.api(SUMMARY).get());
      expect(emu.stats().requests - before).to.equal(1);
      before = emu.stats().requests;
      await failing(client({ retry: new ResilientRetryHandler(new RetryHandlerOptions(0, 1)) }).api(SUMMARY).get());
      expect(emu.stats().requests - before).to.equal(2);
    });
  });

  describe("stock options nothing in the chain honours fail the call", () => {
    it("ChaosHandlerOptions without a ChaosHandler: InvalidOptionsError naming it, nothing sent", async () => {
      const before = emu.stats().requests;
      const trace = new RequestTrace();
      const error = await failing(client().api(SUMMARY).middlewareOptions([new ChaosHandlerOptions(ChaosStrategy.MANUAL, "x", 500, 100), trace]).get());
      expect(String((error as Error).message)).to.contain("ChaosHandlerOptions");
      expect(trace.error).to.be.instanceOf(InvalidOptionsError);
      expect(emu.stats().requests - before).to.equal(0);
    });

    it("RetryHandlerOptions asking for retries on a client with retry: false fails; maxRetries 0 is honoured", async () => {
      const noRetry = createGraphClient({
        authProvider: staticTokenProvider(TOKEN),
        baseUrl: emu.url,
        customHosts: ["127.0.0.1"],
        fetchOptions: emu.fetchOptions,
        throttle: false,
        retry: false,
      });
      const error = await failing(noRetry.api(SUMMARY).middlewareOptions([new RetryHandlerOptions(0, 2)]).get());
      expect(String((error as Error).message)).to.contain("RetryHandlerOptions").and.contain("retry: false");
      expect(await noRetry.api(SUMMARY).middlewareOptions([new RetryHandlerOptions(0, 0)]).get()).to.have.property("@odata.type");
    });

    it("the options the chain honours (redirect, authentication, telemetry) pass", async () => {
      const summary: unknown = await client()
        .api(SUMMARY)
        .middlewareOptions([new RedirectHandlerOptions(2), new AuthenticationHandlerOptions(undefined, undefined), new TelemetryHandlerOptions()])
        .get();
      expect(summary).to.have.property("@odata.type");
    });
  });

  describe("an open chain", () => {
    it("ChaosHandler before the transport produces faults that our retry handler retries", async () => {
      // Every attempt gets the ChaosHandler's 503 (MANUAL mode: the status given, at 100%) until
      // the second retry is announced; the third attempt then reaches the emulator.
      const chaosOptions = new ChaosHandlerOptions(ChaosStrategy.MANUAL, "chaos", 503, 100);
      const chaos = new ChaosHandler(chaosOptions);
      const onRetry = ({ attempt }: { attempt: number }): void => {
        if (attempt >= 2) chaosOptions.chaosPercentage = 0;
      };
      const trace = new RequestTrace();
      const before = emu.stats().requests;
      const summary = (await client({ middleware: { beforeTransport: [chaos] }, retry: { baseDelayMs: 1, maxDelayMs: 5, onRetry } })
        .api(SUMMARY)
        .middlewareOptions([trace])
        .get()) as Record<string, unknown>;
      expect(summary).to.have.property("@odata.type");
      expect(trace.attempts).to.equal(3);
      expect(trace.causes.map((cause) => (cause as GraphRequestError).statusCode)).to.deep.equal([503, 503]);
      expect(emu.stats().requests - before).to.equal(1);
    });

    it("runs user middleware at each position in order, once per call or per attempt", async () => {
      const seen: string[] = [];
      const spy = (name: string): Middleware => {
        let next: Middleware | undefined;
        return {
          execute: async (context: Context) => {
            const headers = new Headers((context.options?.headers ?? {}) as HeadersInit);
            seen.push(`${name}:${headers.has("Authorization") ? "auth" : "noauth"}`);
            await next!.execute(context);
          },
          setNext: (middleware: Middleware) => void (next = middleware),
        };
      };
      emu.setFaults({ unavailable: 1 });
      await failing(
        client({
          retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 1 },
          middleware: { beforeAuth: [spy("a")], beforeRetry: [spy("b")], beforeThrottle: [spy("c")], beforeTransport: [spy("d")] },
        })
          .api(SUMMARY)
          .get(),
      );
      expect(seen).to.deep.equal(["a:noauth", "b:auth", "c:auth", "d:auth", "c:auth", "d:auth"]);
    });

    it("rejects middleware positions that are not middleware arrays, naming each", () => {
      try {
        client({ middleware: { beforeTransport: [{}] as never, beforeAll: [] } as never });
        expect.fail("expected InvalidOptionsError");
      } catch (error) {
        expect(error).to.be.instanceOf(InvalidOptionsError);
        expect((error as Error).message).to.contain("middleware.beforeTransport[0]").and.contain("beforeAll");
      }
    });
  });

  describe("RequestTrace.error holds the typed error of every failure", () => {
    it("a final status error (not retried)", async () => {
      const trace = new RequestTrace();
      const thrown = (await failing(client().api("/deviceManagement/noSuchThing").middlewareOptions([trace]).get())) as { code: string; statusCode: number };
      expect(trace.error).to.be.instanceOf(GraphRequestError);
      const error = trace.error as GraphRequestError;
      expect(error.statusCode).to.equal(thrown.statusCode).and.to.be.at.least(400);
      // Graph's code, from the body the official GraphRequest read (and could still parse).
      expect(error.code).to.be.a("string").and.equal(thrown.code);
      expect(error.body).to.contain(thrown.code);
    });

    it("a retried status error handed back after the last retry", async () => {
      emu.setFaults({ unavailable: 1 });
      const trace = new RequestTrace();
      await failing(client({ retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 1 } }).api(SUMMARY).middlewareOptions([trace]).get());
      expect(trace.error).to.be.instanceOf(GraphRequestError);
      expect(trace.error).to.include({ statusCode: 503, attempts: 2 });
    });

    it("a network failure", async () => {
      emu.setFaults({ connectionReset: 1 });
      const trace = new RequestTrace();
      await failing(client({ retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 0 } }).api(SUMMARY).middlewareOptions([trace]).get());
      expect(trace.error).to.be.instanceOf(GraphNetworkError);
    });

    it("an abort: the abort reason", async () => {
      emu.setFaults({ hang: 1 });
      const trace = new RequestTrace();
      const controller = new AbortController();
      const reason = new Error("stop");
      setTimeout(() => controller.abort(reason), 50);
      await failing(client().api(SUMMARY).option("signal", controller.signal).middlewareOptions([trace]).get());
      expect(trace.error).to.equal(reason);
    });

    it("a throttle refusal (queue full) behind the retry handler", async () => {
      const budgets = [{ route: "/deviceManagement/", methods: "any" as const, scope: "tenant" as const, limit: 1, windowMs: 60_000 }];
      const throttled = client({ throttle: { budgets, maxQueue: 1, presets: false } });
      await throttled.api(SUMMARY).get();
      const controller = new AbortController();
      const queued = throttled.api(SUMMARY).option("signal", controller.signal).get().catch((error: unknown) => error);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const trace = new RequestTrace();
      await failing(throttled.api(SUMMARY).middlewareOptions([trace]).get());
      controller.abort(new Error("done"));
      await queued;
      expect(trace.error).to.be.instanceOf(ThrottleQueueFullError);
    });

    it("a refused redirect", async () => {
      const server = await redirectingServer();
      try {
        const trace = new RequestTrace();
        await failing(redirectClient(server).api(SUMMARY).middlewareOptions([trace, new RedirectHandlerOptions(1)]).get());
        expect(trace.error).to.be.instanceOf(RedirectRefusedError);
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it("an auth error", async () => {
      const trace = new RequestTrace();
      await failing(
        client({ authProvider: { getAccessToken: () => Promise.reject(new Error("no token")) } }).api(SUMMARY).middlewareOptions([trace]).get(),
      );
      expect((trace.error as Error).name).to.equal("AuthenticationError");
    });
  });

  describe("logger", () => {
    it("logs retries and give-ups, never the token", async () => {
      emu.setFaults({ unavailable: 1 });
      const lines: string[] = [];
      const record = (message: string, details?: unknown): void => void lines.push(`${message} ${JSON.stringify(details)}`);
      const logger = { debug: record, info: record, warn: record, error: record };
      await failing(client({ logger, retry: { baseDelayMs: 1, maxDelayMs: 5, maxRetries: 2 } }).api(SUMMARY).header("X-Debug", `Bearer ${TOKEN}`).get());
      expect(lines.filter((line) => line.startsWith("Graph retry"))).to.have.length(2);
      expect(lines.some((line) => line.includes("gave up"))).to.equal(true);
      for (const line of lines) expect(line).to.not.contain(TOKEN);
    });

    it("logs throttle cooldowns, store fallback and refused redirects, never the token", async () => {
      const lines: string[] = [];
      const record = (message: string, details?: unknown): void => void lines.push(`${message} ${JSON.stringify(details)}`);
      const logger = { debug: record, info: record, warn: record, error: record };
      const failingStore: ThrottleStore = {
        reserve: () => Promise.reject(new Error("store down")),
        extendCooldown: () => Promise.reject(new Error("store down")),
        cooldownRemaining: () => Promise.reject(new Error("store down")),
        readRate: () => Promise.reject(new Error("store down")),
        adjustRate: () => Promise.reject(new Error("store down")),
      };
      const cooldownEmu = await startGraphEmulator({
        limits: false,
        retryAfterFormat: "fractional-seconds",
        faults: { unavailableWithRetryAfter: 1, unavailableRetryAfterSeconds: 0.05 },
      });
      const server = await redirectingServer();
      try {
        const throttled = createGraphClient({
          authProvider: staticTokenProvider(TOKEN),
          baseUrl: cooldownEmu.url,
          customHosts: ["127.0.0.1"],
          fetchOptions: cooldownEmu.fetchOptions,
          retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 5 },
          throttle: { store: failingStore },
          logger,
        });
        await failing(throttled.api(SUMMARY).get());
        await failing(redirectClient(server, logger).api(SUMMARY).middlewareOptions([new RedirectHandlerOptions(1)]).get());
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await cooldownEmu.close();
      }
      expect(lines.some((line) => line.startsWith("Graph throttle store failed"))).to.equal(true);
      expect(lines.some((line) => line.startsWith("Graph throttle cooldown"))).to.equal(true);
      expect(lines.some((line) => line.startsWith("Refused the 302 redirect"))).to.equal(true);
      for (const line of lines) expect(line).to.not.contain(TOKEN);
    });

    it("is silent by default and rejects a logger without methods", () => {
      expect(() => client({ logger: {} as never })).to.throw(InvalidOptionsError, /logger/);
    });
  });
});
