import { expect } from "chai";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { GraphClient } from "../../lib/client/CreateGraphClientOptions.js";
import { RequestTrace } from "../../lib/chain/RequestTrace.js";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { MAX_ERROR_BODY_CHARS, TRUNCATED_BODY_MARKER } from "../../lib/errors/boundedErrorBody.js";
import type { ResilientRetryOptions } from "../../lib/retry/ResilientRetryOptions.js";
import { staticTokenProvider } from "../../lib/testing/index.js";

const MB = 1024 * 1024;
const SUMMARY = "/deviceManagement/softwareUpdateStatusSummary";

/** How a scripted answer goes: status, headers, and a body of `bytes` bytes made of `fill`. */
interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly bytes: number;
  readonly fill?: string;
}

/**
 * Writes `answer` with backpressure and stops when the client goes away; resolves to the bytes
 * the socket accepted (what the client could at most have buffered, plus the kernel's buffers).
 */
function writeAnswer(res: ServerResponse, answer: Answer): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, answer.fill ?? "x");
  res.writeHead(answer.status, answer.headers ?? {});
  let written = 0;
  return new Promise((resolve) => {
    const done = (): void => resolve(written);
    res.once("close", done);
    const pump = (): void => {
      while (written < answer.bytes && !res.destroyed) {
        const piece = chunk.subarray(0, Math.min(chunk.byteLength, answer.bytes - written));
        written += piece.byteLength;
        if (!res.write(piece)) {
          res.once("drain", pump);
          return;
        }
      }
      if (!res.destroyed) res.end();
    };
    pump();
  });
}

/**
 * The characters of text an error keeps, through its `causes` and `cause` (what a caller that
 * holds the error retains of the bodies it was built from).
 */
function retainedChars(error: unknown, seen = new Set<unknown>()): number {
  if (typeof error !== "object" || error === null || seen.has(error)) return 0;
  seen.add(error);
  const e = error as { body?: unknown; message?: unknown; causes?: unknown[]; cause?: unknown };
  let total = (typeof e.body === "string" ? e.body.length : 0) + (typeof e.message === "string" ? e.message.length : 0);
  for (const cause of e.causes ?? []) total += retainedChars(cause, seen);
  return total + retainedChars(e.cause, seen);
}

describe("bounded bodies (real HTTP)", function () {
  this.timeout(30_000);
  let server: Server;
  let answer: (req: IncomingMessage) => Answer;
  let sent: number[];
  let baseUrl: string;

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => void writeAnswer(res, answer(req)).then((bytes) => sent.push(bytes)));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    sent = [];
  });

  const clientWith = (retry: Partial<ResilientRetryOptions> | false): GraphClient =>
    createGraphClient({ authProvider: staticTokenProvider("t"), baseUrl, customHosts: ["127.0.0.1"], retry, throttle: false });
  /** Waits until the server saw every connection close (its byte counts are final). */
  const settled = async (count: number): Promise<void> => {
    for (let i = 0; i < 200 && sent.length < count; i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sent).to.have.length(count);
  };

  it("keeps at most 4096 characters of a 50 MB error body, retried five times, and no body in causes", async () => {
    answer = () => ({ status: 503, headers: { "content-type": "application/json", "request-id": "rid-503" }, bytes: 50 * MB });
    const client = clientWith({ maxRetries: 5, baseDelayMs: 1, maxDelayMs: 2 });
    const error = await client.softwareUpdateStatusSummary().get().then(
      () => expect.fail("expected a rejection"),
      (caught: unknown) => caught as GraphRequestError,
    );
    expect(error).to.be.instanceOf(GraphRequestError).and.include({ statusCode: 503, attempts: 6, requestId: "rid-503" });
    expect(error.body).to.have.length(MAX_ERROR_BODY_CHARS + TRUNCATED_BODY_MARKER.length);
    expect(error.body?.endsWith(TRUNCATED_BODY_MARKER)).to.equal(true);
    expect(error.causes).to.have.length(5);
    for (const cause of error.causes) expect(cause).to.be.instanceOf(GraphRequestError).and.include({ statusCode: 503, body: null });
    const retained = retainedChars(error);
    console.log(`      retained by the error: ${retained} characters (body + causes); server wrote ${sent.map((b) => (b / MB).toFixed(1)).join(", ")} MB`);
    expect(retained).to.be.below(MB);
    // Each attempt's body was left unread past its start: the server never got to write it all.
    await settled(6);
    for (const bytes of sent) expect(bytes).to.be.below(25 * MB);
  });

  const cases = [
    { declared: false, retry: {}, limit: MB, who: "the client's 1 MiB entity limit" },
    { declared: true, retry: false as const, limit: MB, who: "the client's 1 MiB entity limit, with no retry handler" },
    { declared: true, retry: {}, limit: 16 * MB, who: "the retry handler's maxResponseBytes, from Content-Length" },
  ];
  for (const { declared, retry, limit, who } of cases) {
    it(`fails get() on a 50 MB 200 (${declared ? "Content-Length" : "chunked"}) with ResponseTooLarge by ${who}, without buffering it`, async () => {
      answer = () => ({
        status: 200,
        headers: { "content-type": "application/json", "request-id": "rid-200", ...(declared ? { "content-length": String(50 * MB) } : {}) },
        bytes: 50 * MB,
        fill: " ",
      });
      const error = await clientWith(retry)
        .softwareUpdateStatusSummary()
        .get()
        .then(
          () => expect.fail("expected a rejection"),
          (caught: unknown) => caught as GraphRequestError,
        );
      expect(error).to.be.instanceOf(GraphRequestError).and.include({ statusCode: 200, code: "ResponseTooLarge", requestId: "rid-200", body: null });
      expect(error.message).to.match(new RegExp(`^Graph answered 200 with a body larger than the limit of ${limit} bytes`));
      await settled(1);
      console.log(`      server wrote ${(sent[0]! / MB).toFixed(1)} MB of 50 MB`);
      expect(sent[0]).to.be.below(25 * MB);
    });
  }

  it("fails client.api().get() on a JSON 200 above the retry handler's maxResponseBytes; the trace has the typed error", async () => {
    answer = () => ({ status: 200, headers: { "content-type": "application/json" }, bytes: 50 * MB, fill: " " });
    const trace = new RequestTrace();
    const error = await clientWith({ maxResponseBytes: 2 * MB })
      .api(SUMMARY)
      .middlewareOptions([trace])
      .get()
      .then(
        () => expect.fail("expected a rejection"),
        (caught: unknown) => caught,
      );
    expect(error).to.be.instanceOf(GraphError).and.include({ statusCode: 200 });
    expect(trace.error).to.be.instanceOf(GraphRequestError).and.include({ statusCode: 200, code: "ResponseTooLarge" });
    await settled(1);
    expect(sent[0]).to.be.below(25 * MB);
  });

  it("does not cap a download (getStream of application/octet-stream)", async () => {
    answer = () => ({ status: 200, headers: { "content-type": "application/octet-stream" }, bytes: 5 * MB });
    const stream = (await clientWith({ maxResponseBytes: MB }).api("/drives/d/items/i/content").getStream()) as ReadableStream<Uint8Array>;
    let received = 0;
    for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) received += chunk.byteLength;
    expect(received).to.equal(5 * MB);
  });
});
