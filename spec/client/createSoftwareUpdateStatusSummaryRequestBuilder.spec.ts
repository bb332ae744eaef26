import { expect } from "chai";
import { GraphClientError, GraphError, type Context, type Middleware } from "@microsoft/microsoft-graph-client";
import type { SoftwareUpdateStatusSummary } from "@microsoft/microsoft-graph-types";
import { GraphNetworkError } from "../../lib/errors/GraphNetworkError.js";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { ThrottleQueueFullError } from "../../lib/errors/ThrottleQueueFullError.js";
import { ValidationError } from "../../lib/errors/ValidationError.js";
import { IdempotentRequestOption } from "../../lib/chain/IdempotentRequestOption.js";
import { OrderedWriteOption } from "../../lib/chain/OrderedWriteOption.js";
import { getRequestTrace, RequestTrace } from "../../lib/chain/RequestTrace.js";
import { SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE } from "../../lib/entity/softwareUpdateStatusSummaryMetadata.js";
import { FakeTransport, fakeClient, jsonResponse, step } from "./support/fakeTransport.js";

const ENTITY: SoftwareUpdateStatusSummary = {
  id: "4f71421f-421f-4f71-1f42-714f1f42714f",
  displayName: "Display Name value",
  compliantDeviceCount: 4,
};
const URL_V1 = "https://graph.microsoft.com/v1.0/deviceManagement/softwareUpdateStatusSummary";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

/** A middleware that stores a typed error in the trace and throws it, as our handlers do. */
class TypedFailure implements Middleware {
  constructor(private readonly error: Error) {}
  async execute(context: Context): Promise<void> {
    const trace = getRequestTrace(context);
    if (trace) {
      trace.attempts = 3;
      trace.error = this.error;
    }
    throw this.error;
  }
  setNext(): void {}
}

describe("client/softwareUpdateStatusSummary() request builder", () => {
  describe("get()", () => {
    it("sends GET to the singleton and resolves to the entity", async () => {
      const transport = new FakeTransport(() => jsonResponse(200, ENTITY));
      const result = await fakeClient(transport).softwareUpdateStatusSummary().get();
      expect(result).to.deep.equal(ENTITY);
      expect(transport.requests).to.have.length(1);
      expect(transport.requests[0]).to.include({ method: "GET", url: URL_V1 });
    });

    it("sends $select and narrows the result type", async () => {
      const transport = new FakeTransport(() => jsonResponse(200, { id: "x", displayName: "n", compliantDeviceCount: 1 }));
      const result = await fakeClient(transport).softwareUpdateStatusSummary().get({ select: ["displayName", "compliantDeviceCount", "displayName"] });
      expect(transport.requests[0]?.url).to.equal(`${URL_V1}?$select=displayName,compliantDeviceCount`);
      const name: string | null | undefined = result.displayName;
      const id: string | undefined = result.id;
      expect([name, id, result.compliantDeviceCount]).to.deep.equal(["n", "x", 1]);
      // @ts-expect-error errorDeviceCount was not selected, so it is not on the result type.
      expect(result.errorDeviceCount).to.equal(undefined);
    });

    it("rejects unknown select names before sending", async () => {
      const transport = new FakeTransport();
      const builder = fakeClient(transport).softwareUpdateStatusSummary();
      // @ts-expect-error not a property of the entity
      const error = await rejection(builder.get({ select: ["displayName", "colour", "DisplayName"] }));
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).issues).to.deep.equal([
        { path: "select[1]", message: 'is not a property of softwareUpdateStatusSummary, got "colour"' },
        { path: "select[2]", message: 'is not a property of softwareUpdateStatusSummary, got "DisplayName"; did you mean "displayName"?' },
      ]);
      expect(transport.requests).to.have.length(0);
    });

    it("does not send an empty $select", async () => {
      const transport = new FakeTransport(() => jsonResponse(200, ENTITY));
      await fakeClient(transport).softwareUpdateStatusSummary().get({ select: [] });
      expect(transport.requests[0]?.url).to.equal(URL_V1);
    });

    it("uses the per-call version, else the client's default", async () => {
      const transport = new FakeTransport(() => jsonResponse(200, ENTITY));
      await fakeClient(transport).softwareUpdateStatusSummary().get({ version: "beta" });
      await fakeClient(transport, [], "beta").softwareUpdateStatusSummary().get();
      await fakeClient(transport, [], "beta").softwareUpdateStatusSummary().get({ version: "v1.0" });
      expect(transport.requests.map((r) => new URL(r.url).pathname.split("/")[1])).to.deep.equal(["beta", "beta", "v1.0"]);
    });

    it("rejects an unknown version before sending", async () => {
      const transport = new FakeTransport();
      const builder = fakeClient(transport).softwareUpdateStatusSummary();
      const error = await rejection(builder.get({ version: "v2.0" as "beta" }));
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).to.equal("version");
      expect(transport.requests).to.have.length(0);
    });

    it("fails clearly on a 2xx without an entity", async () => {
      for (const respond of [
        () => new Response("not json", { status: 200 }),
        () => new Response("[1,2]", { status: 200 }),
        () => new Response("", { status: 200 }),
        () => new Response(null, { status: 204 }),
      ]) {
        const error = await rejection(fakeClient(new FakeTransport(respond)).softwareUpdateStatusSummary().get());
        expect(error).to.be.instanceOf(GraphRequestError);
        expect(error).to.include({ code: "InvalidResponseBody" });
        expect((error as Error).message).to.match(/^Graph answered 20[04]/).and.contain("expected the softwareUpdateStatusSummary entity");
      }
    });
  });

  describe("update()", () => {
    it("validates first and sends nothing for an invalid patch", async () => {
      const transport = new FakeTransport();
      const builder = fakeClient(transport).softwareUpdateStatusSummary();
      const error = await rejection(builder.update({ compliantDeviceCount: -1, id: "x" } as never));
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path)).to.deep.equal(["id", "compliantDeviceCount"]);
      expect(transport.requests).to.have.length(0);
    });

    it("sends PATCH with @odata.type and JSON content type, and resolves to the returned entity", async () => {
      const transport = new FakeTransport(() => jsonResponse(200, { ...ENTITY, displayName: "x" }));
      const patch = { displayName: "x", compliantDeviceCount: 4 };
      const result = await fakeClient(transport)
        .softwareUpdateStatusSummary()
        .update(patch, { headers: { "content-type": "text/plain", "X-Custom": "1" } });
      expect(result).to.deep.equal({ ...ENTITY, displayName: "x" });
      const sent = transport.requests[0];
      expect(sent).to.include({ method: "PATCH", url: URL_V1 });
      expect(JSON.parse(sent?.body ?? "")).to.deep.equal({ "@odata.type": SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE, ...patch });
      expect(sent?.headers["content-type"]).to.equal("application/json");
      expect(sent?.headers["x-custom"]).to.equal("1");
      expect(patch).to.deep.equal({ displayName: "x", compliantDeviceCount: 4 });
    });

    it("resolves to undefined on 204 No Content or an empty 200, never inventing an entity", async () => {
      const noContent = await fakeClient(new FakeTransport(() => new Response(null, { status: 204 })))
        .softwareUpdateStatusSummary()
        .update({ displayName: "x" });
      expect(noContent).to.equal(undefined);
      const empty = await fakeClient(new FakeTransport(() => new Response("", { status: 200 })))
        .softwareUpdateStatusSummary()
        .update({ displayName: "x" });
      expect(empty).to.equal(undefined);
    });

    it("fails clearly on a 2xx with an unparsable body, saying the update may have been applied", async () => {
      const error = await rejection(
        fakeClient(new FakeTransport(() => new Response('{"id":', { status: 200 })))
          .softwareUpdateStatusSummary()
          .update({ displayName: "x" }),
      );
      expect(error).to.be.instanceOf(GraphRequestError).and.include({ code: "InvalidResponseBody", statusCode: 200 });
      expect((error as Error).message).to.contain('"{\\"id\\":"').and.contain("may have been applied");
    });

    it("marks itself idempotent; get() does not", async () => {
      const transport = new FakeTransport(() => jsonResponse(200, ENTITY));
      const builder = fakeClient(transport).softwareUpdateStatusSummary();
      await builder.update({ displayName: "x" });
      await builder.get();
      expect(transport.requests[0]?.option(IdempotentRequestOption)).to.be.instanceOf(IdempotentRequestOption).and.include({ idempotent: true });
      expect(transport.requests[1]?.option(IdempotentRequestOption)).to.equal(undefined);
    });

    it("marks itself ordered unless ordered: false, and rejects a non-boolean ordered before sending", async () => {
      const transport = new FakeTransport(() => jsonResponse(200, ENTITY));
      const builder = fakeClient(transport).softwareUpdateStatusSummary();
      await builder.update({ displayName: "x" });
      await builder.update({ displayName: "y" }, { ordered: false });
      expect(transport.requests[0]?.option(OrderedWriteOption)).to.be.instanceOf(OrderedWriteOption);
      expect(transport.requests[1]?.option(OrderedWriteOption)).to.equal(undefined);
      const error = await rejection(builder.update({ displayName: "z" }, { ordered: "yes" as unknown as boolean }));
      expect(error).to.be.instanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).to.equal("ordered");
      expect(transport.requests).to.have.length(2);
    });

    it("lets a caller's option of the same class replace the helper's", async () => {
      const transport = new FakeTransport(() => jsonResponse(200, ENTITY));
      await fakeClient(transport)
        .softwareUpdateStatusSummary()
        .update({ displayName: "x" }, { middlewareOptions: [new IdempotentRequestOption(false)] });
      expect(transport.requests[0]?.option(IdempotentRequestOption)).to.include({ idempotent: false });
    });
  });

  describe("per-call plumbing", () => {
    it("sets a fresh client-request-id per call unless the caller set one", async () => {
      const transport = new FakeTransport(() => jsonResponse(200, ENTITY));
      const builder = fakeClient(transport).softwareUpdateStatusSummary();
      await builder.get();
      await builder.get();
      await builder.update({ displayName: "x" }, { headers: { "Client-Request-Id": "mine-123" } });
      const ids = transport.requests.map((r) => r.headers["client-request-id"]);
      expect(ids[0]).to.match(UUID);
      expect(ids[1]).to.match(UUID);
      expect(ids[0]).to.not.equal(ids[1]);
      expect(ids[2]).to.equal("mine-123");
    });

    it("attaches a fresh RequestTrace per call, or uses the caller's, and appends caller options", async () => {
      class Marker {}
      const transport = new FakeTransport(() => jsonResponse(200, ENTITY));
      const builder = fakeClient(transport).softwareUpdateStatusSummary();
      const mine = new RequestTrace();
      const marker = new Marker();
      await builder.get();
      await builder.get();
      await builder.get({ middlewareOptions: [marker, mine] });
      const traces = transport.requests.map((r) => r.option(RequestTrace));
      expect(traces[0]).to.be.instanceOf(RequestTrace);
      expect(traces[0]).to.not.equal(traces[1]);
      expect(traces[2]).to.equal(mine);
      expect(transport.requests[2]?.option(Marker)).to.equal(marker);
    });

    it("passes the signal to fetch and rejects with signal.reason when aborted", async () => {
      const controller = new AbortController();
      const transport = new FakeTransport(
        (request) =>
          new Promise<Response>((_resolve, reject) => {
            request.signal?.addEventListener("abort", () => reject(new TypeError("fetch failed")));
            controller.abort(new Error("user gave up"));
          }),
      );
      const error = await rejection(fakeClient(transport).softwareUpdateStatusSummary().get({ signal: controller.signal }));
      expect(transport.requests[0]?.signal).to.equal(controller.signal);
      expect(error).to.equal(controller.signal.reason);
    });

    it("sends nothing when the signal is already aborted", async () => {
      const transport = new FakeTransport();
      const reason = new Error("already");
      const error = await rejection(
        fakeClient(transport).softwareUpdateStatusSummary().update({ displayName: "x" }, { signal: AbortSignal.abort(reason) }),
      );
      expect(error).to.equal(reason);
      expect(transport.requests).to.have.length(0);
    });

    it("rejects with signal.reason when aborted while the body is read", async () => {
      const controller = new AbortController();
      const transport = new FakeTransport(
        () =>
          new Response(
            new ReadableStream({
              start(stream) {
                stream.enqueue(new TextEncoder().encode('{"id":'));
                controller.abort();
                stream.error(new DOMException("aborted", "AbortError"));
              },
            }),
            { status: 200 },
          ),
      );
      const error = await rejection(fakeClient(transport).softwareUpdateStatusSummary().get({ signal: controller.signal }));
      expect(error).to.equal(controller.signal.reason);
      expect((error as DOMException).name).to.equal("AbortError");
    });
  });

  describe("error mapping", () => {
    const graphError = (code: string, message: string, inner: Record<string, string> = {}) => ({
      error: { code, message, innerError: { date: "2020-08-18T12:51:51", "request-id": "inner-req-id", ...inner } },
    });

    it("maps a Graph error body to GraphRequestError with every field", async () => {
      const transport = new FakeTransport(() =>
        jsonResponse(429, graphError("TooManyRequests", "Please retry again later."), {
          "request-id": "94fb3b52-452a-4535-a601-69e0a90e3aa2",
          date: "Tue, 18 Aug 2020 12:51:51 GMT",
          "retry-after": "2.128",
        }),
      );
      const error = await rejection(
        fakeClient(transport).softwareUpdateStatusSummary().update({ displayName: "x" }, { headers: { "client-request-id": "cid-1" } }),
      );
      expect(error).to.be.instanceOf(GraphRequestError).and.instanceOf(GraphError);
      const e = error as GraphRequestError;
      expect(e).to.include({
        statusCode: 429,
        code: "TooManyRequests",
        requestId: "94fb3b52-452a-4535-a601-69e0a90e3aa2",
        clientRequestId: "cid-1",
        retryAfterMs: 2128,
        attempts: 1,
      });
      expect(e.message).to.equal(
        "Please retry again later. (request-id: 94fb3b52-452a-4535-a601-69e0a90e3aa2, client-request-id: cid-1, date: 2020-08-18T12:51:51.000Z)",
      );
      expect(e.date.toISOString()).to.equal("2020-08-18T12:51:51.000Z");
      expect(JSON.parse(e.body as string)).to.deep.equal(graphError("TooManyRequests", "Please retry again later."));
      expect(e.headers?.get("retry-after")).to.equal("2.128");
      expect(e.causes).to.deep.equal([]);
    });

    it("falls back to innerError for request-id and date (read as UTC)", async () => {
      const transport = new FakeTransport(() => jsonResponse(404, graphError("ResourceNotFound", "Not found")));
      const error = (await rejection(fakeClient(transport).softwareUpdateStatusSummary().get())) as GraphRequestError;
      expect(error).to.include({ statusCode: 404, code: "ResourceNotFound", requestId: "inner-req-id", retryAfterMs: undefined });
      expect(error.date.toISOString()).to.equal("2020-08-18T12:51:51.000Z");
      expect(error.clientRequestId).to.match(UUID);
      expect(error.message).to.contain(`client-request-id: ${error.clientRequestId}`);
    });

    it("gives a clear HttpError for non-JSON, empty and non-Graph JSON bodies", async () => {
      const cases: Array<[Response, RegExp]> = [
        [new Response("<html><body>Bad gateway</body></html>", { status: 502, statusText: "Bad Gateway" }), /^Graph answered 502 Bad Gateway with a body that is not a Graph error: "<html><body>Bad gateway<\/body><\/html>"/],
        [new Response("", { status: 503 }), /^Graph answered 503 with an empty body \(request-id: unknown/],
        [new Response('{"message":"nope"}', { status: 400 }), /^Graph answered 400 with a body that is not a Graph error: "\{\\"message\\":\\"nope\\"\}"/],
        [new Response("x".repeat(5000), { status: 500 }), /x{200}…" \(request-id/],
      ];
      for (const [response, message] of cases) {
        const error = (await rejection(fakeClient(new FakeTransport(() => response)).softwareUpdateStatusSummary().get())) as GraphRequestError;
        expect(error).to.be.instanceOf(GraphRequestError).and.include({ code: "HttpError", statusCode: response.status });
        expect(error.message).to.match(message);
      }
    });

    it("gives a clear error when an error body breaks off mid-way", async () => {
      const transport = new FakeTransport(
        () =>
          new Response(
            new ReadableStream({
              start(stream) {
                stream.enqueue(new TextEncoder().encode('{"error":{"code":"Bad'));
                stream.error(new TypeError("terminated"));
              },
            }),
            { status: 400 },
          ),
      );
      const error = (await rejection(fakeClient(transport).softwareUpdateStatusSummary().get())) as GraphRequestError;
      expect(error).to.be.instanceOf(GraphRequestError).and.include({ code: "HttpError", statusCode: 400, body: null });
      expect(error.message).to.match(/^Graph answered 400 and the body could not be read \(terminated\)/);
      expect((error as { cause?: unknown }).cause).to.be.instanceOf(TypeError);
    });

    it("never puts the token in an error", async () => {
      const token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.secret-token-value";
      const transport = new FakeTransport(() => jsonResponse(401, graphError("InvalidAuthenticationToken", "Access token is empty.")));
      const auth = step(async (context, next) => {
        (context.options!.headers as Record<string, string>).Authorization = `Bearer ${token}`;
        await next.execute(context);
      });
      const error = await rejection(fakeClient(transport, [auth]).softwareUpdateStatusSummary().get());
      expect(transport.requests[0]?.headers.authorization).to.equal(`Bearer ${token}`);
      const e = error as GraphRequestError;
      const everything = [e.message, e.body, e.stack, JSON.stringify(e), JSON.stringify([...(e.headers?.entries() ?? [])])].join("\n");
      expect(everything).to.not.contain("secret-token-value");
    });

    it("uses the trace's attempts and causes", async () => {
      const earlier = new GraphRequestError(503, "earlier");
      const stamp = step(async (context, next) => {
        const trace = getRequestTrace(context);
        if (trace) {
          trace.attempts = 3;
          trace.causes.push(earlier);
        }
        await next.execute(context);
      });
      const transport = new FakeTransport(() => jsonResponse(503, graphError("ServiceUnavailable", "down")));
      const error = (await rejection(fakeClient(transport, [stamp]).softwareUpdateStatusSummary().get())) as GraphRequestError;
      expect(error.attempts).to.equal(3);
      expect(error.causes).to.deep.equal([earlier]);
    });
  });

  describe("thrown errors", () => {
    it("re-throws the typed error a middleware stored in the trace", async () => {
      const typed = new ThrottleQueueFullError("tenant-a/app-b", 10);
      const error = await rejection(fakeClient(new FakeTransport(), [new TypedFailure(typed)]).softwareUpdateStatusSummary().get());
      expect(error).to.equal(typed);
    });

    it("wraps a bare network failure in GraphNetworkError with the original as cause", async () => {
      const transport = new FakeTransport(() => {
        throw new TypeError("fetch failed");
      });
      const error = await rejection(fakeClient(transport).softwareUpdateStatusSummary().get({ headers: { "client-request-id": "cid-9" } }));
      expect(error).to.be.instanceOf(GraphNetworkError).and.instanceOf(GraphError);
      const e = error as GraphNetworkError;
      expect(e).to.include({ statusCode: -1, code: "NetworkError", kind: "unknown", clientRequestId: "cid-9", attempts: 1 });
      expect(e.message).to.match(/^Network failure calling Microsoft Graph: fetch failed \(request-id: unknown, client-request-id: cid-9, date: /);
      expect((e as { cause?: unknown }).cause).to.be.instanceOf(GraphError);
      expect(((e as { cause?: GraphError }).cause as GraphError).message).to.equal("fetch failed");
    });

    it("classifies node-fetch style failures", async () => {
      const transport = new FakeTransport(() => {
        const failure = new Error("request to https://graph.microsoft.com/v1.0/x failed, reason: connect ECONNREFUSED 127.0.0.1:443");
        failure.name = "FetchError";
        throw failure;
      });
      const error = await rejection(fakeClient(transport).softwareUpdateStatusSummary().get());
      expect(error).to.be.instanceOf(GraphNetworkError).and.include({ kind: "connection-refused" });
    });

    it("passes GraphClientErrors through and wraps anything else in GraphRequestError", async () => {
      const config = new GraphClientError("bad configuration");
      const passed = await rejection(
        fakeClient(
          new FakeTransport(() => {
            throw config;
          }),
        )
          .softwareUpdateStatusSummary()
          .get(),
      );
      expect(passed).to.equal(config);

      const odd = new RangeError("something odd");
      const wrapped = await rejection(
        fakeClient(
          new FakeTransport(() => {
            throw odd;
          }),
        )
          .softwareUpdateStatusSummary()
          .get(),
      );
      expect(wrapped).to.be.instanceOf(GraphRequestError).and.not.instanceOf(GraphNetworkError);
      expect(wrapped).to.include({ code: "RangeError", statusCode: -1 });
      expect((wrapped as Error).message).to.match(/^something odd \(request-id: unknown, client-request-id: /);
    });

    it("reports a chain that produced no response", async () => {
      const silent = step(async () => undefined);
      const error = await rejection(fakeClient(new FakeTransport(), [silent]).softwareUpdateStatusSummary().get());
      expect(error).to.be.instanceOf(GraphRequestError).and.include({ code: "NoResponse" });
    });
  });
});
