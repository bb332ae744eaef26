import { expect } from "chai";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { discardResponse, readErrorBody, statusError } from "../../lib/retry/statusError.js";
import { ERROR_BODY_READ_BYTES } from "../../lib/chain/readBodyText.js";
import { MAX_ERROR_BODY_CHARS, TRUNCATED_BODY_MARKER } from "../../lib/errors/boundedErrorBody.js";

const THROTTLED = JSON.stringify({
  error: {
    code: "TooManyRequests",
    message: "Please retry again later.",
    innerError: { code: "429", date: "2020-08-18T12:51:51", message: "Please retry after", "request-id": "inner-id", status: "429" },
  },
});

describe("statusError", () => {
  it("snapshots status, Graph's error code, request-id, Retry-After and attempts, without headers", () => {
    const response = new Response(THROTTLED, { status: 429, headers: { "request-id": "hdr-id", "Retry-After": "2" } });
    const error = statusError(response, THROTTLED, { clientRequestId: "crid", attempts: 2, retryAfterMs: 2000 });
    expect(error).to.be.instanceOf(GraphRequestError).and.instanceOf(GraphError);
    expect(error).to.include({ statusCode: 429, code: "TooManyRequests", requestId: "hdr-id", clientRequestId: "crid", retryAfterMs: 2000, attempts: 2 });
    expect(error.headers).to.equal(undefined);
    expect(error.message).to.contain("429 TooManyRequests").and.contain("hdr-id");
  });

  it("falls back to innerError's request-id and copes with non-JSON bodies", () => {
    const response = new Response(null, { status: 503 });
    expect(statusError(response, THROTTLED, { clientRequestId: null, attempts: 1, retryAfterMs: undefined }).requestId).to.equal("inner-id");
    const plain = statusError(response, "<html>busy</html>", { clientRequestId: null, attempts: 1, retryAfterMs: undefined });
    expect(plain.code).to.equal(null);
    expect(plain.body).to.equal("<html>busy</html>");
  });
});

describe("readErrorBody", () => {
  it("reads through a clone and leaves the response readable", async () => {
    const response = new Response("body text", { status: 503 });
    expect(await readErrorBody(response, new AbortController().signal)).to.equal("body text");
    expect(await response.text()).to.equal("body text");
  });

  it("reads only the first 64 KiB of a long body, and the error keeps 4096 characters of it", async () => {
    const response = new Response("x".repeat(10 * 1024 * 1024), { status: 503 });
    const body = await readErrorBody(response, new AbortController().signal);
    expect(body).to.have.length(ERROR_BODY_READ_BYTES);
    const error = statusError(response, body, { clientRequestId: "c", attempts: 1, retryAfterMs: undefined });
    expect(error.body).to.have.length(MAX_ERROR_BODY_CHARS + TRUNCATED_BODY_MARKER.length);
  });

  it("returns null for no body or when aborted", async () => {
    expect(await readErrorBody(new Response(null, { status: 504 }), new AbortController().signal)).to.equal(null);
    const hanging = new Response(new ReadableStream({ start() {} }), { status: 503 });
    const controller = new AbortController();
    const read = readErrorBody(hanging, controller.signal);
    controller.abort();
    expect(await read).to.equal(null);
  });
});

describe("discardResponse", () => {
  it("cancels the body so the connection is freed, and never throws", async () => {
    let cancelled = false;
    const response = new Response(new ReadableStream({ cancel: () => void (cancelled = true) }), { status: 503 });
    discardResponse(response);
    await Promise.resolve();
    expect(cancelled).to.equal(true);
    discardResponse(new Response(null, { status: 504 }));
  });
});
