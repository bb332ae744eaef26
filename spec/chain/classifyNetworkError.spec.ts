import { expect } from "chai";
import { GraphNetworkError } from "../../lib/errors/GraphNetworkError.js";
import { classifyFlattenedNetworkFailure, classifyNetworkError, networkFailureHint } from "../../lib/chain/classifyNetworkError.js";

function fetchFailed(cause: unknown): TypeError {
  return new TypeError("fetch failed", { cause });
}
function coded(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe("classifyNetworkError", () => {
  it("classifies undici's TypeError: fetch failed by its cause code", () => {
    expect(classifyNetworkError(fetchFailed(coded("ECONNRESET", "read ECONNRESET")))).to.equal("connection-reset");
    expect(classifyNetworkError(fetchFailed(coded("ECONNREFUSED")))).to.equal("connection-refused");
    expect(classifyNetworkError(fetchFailed(coded("UND_ERR_CONNECT_TIMEOUT")))).to.equal("timeout");
    expect(classifyNetworkError(fetchFailed(coded("ETIMEDOUT")))).to.equal("timeout");
    expect(classifyNetworkError(fetchFailed(coded("UND_ERR_SOCKET", "other side closed")))).to.equal("socket-closed");
    expect(classifyNetworkError(fetchFailed(coded("ENOTFOUND")))).to.equal("dns");
  });

  it("looks into AggregateError (IPv4 and IPv6 both refused)", () => {
    const aggregate = new AggregateError([coded("ECONNREFUSED"), coded("ECONNREFUSED")], "connect failed");
    expect(classifyNetworkError(fetchFailed(aggregate))).to.equal("connection-refused");
  });

  it("recognises other runtimes' failures", () => {
    // Browsers report a CORS refusal and an unreachable host alike, and say nothing more.
    expect(classifyNetworkError(new TypeError("Failed to fetch"))).to.equal("cors-or-network");
    expect(classifyNetworkError(new TypeError("Load failed"))).to.equal("cors-or-network");
    expect(classifyNetworkError(new TypeError("NetworkError when attempting to fetch resource."))).to.equal("cors-or-network");
    // A failure with a cause says more than a browser would: not opaque.
    expect(classifyNetworkError(new TypeError("Failed to fetch", { cause: new Error("boom") }))).to.equal("unknown");
    expect(classifyNetworkError(new TypeError("fetch failed"))).to.equal("unknown");
    expect(classifyNetworkError(Object.assign(new Error("request to x failed, reason: socket hang up"), { name: "FetchError", code: "ECONNRESET" }))).to.equal("connection-reset");
    expect(classifyNetworkError(new Error("socket hang up"))).to.equal("socket-closed");
  });

  it("keeps the kind of an existing GraphNetworkError", () => {
    expect(classifyNetworkError(new GraphNetworkError("dns", "x"))).to.equal("dns");
  });

  it("returns undefined for errors that are not network failures", () => {
    expect(classifyNetworkError(new Error("boom"))).to.equal(undefined);
    expect(classifyNetworkError(new TypeError("Cannot read properties of undefined"))).to.equal(undefined);
    expect(classifyNetworkError("fetch failed")).to.equal(undefined);
    expect(classifyNetworkError(null)).to.equal(undefined);
  });

  it("does not count a TypeError that rejects the input as a network failure", () => {
    // What undici throws for a relative URL, a bad header value, and a header it refuses to send.
    const relative = new TypeError("Failed to parse URL from /v1.0/x", { cause: Object.assign(new TypeError("Invalid URL"), { code: "ERR_INVALID_URL" }) });
    expect(classifyNetworkError(relative)).to.equal(undefined);
    expect(classifyNetworkError(new TypeError('Headers.append: "x\ny" is an invalid header value.'))).to.equal(undefined);
    const refusedHeader = fetchFailed(Object.assign(new Error("invalid upgrade header"), { name: "InvalidArgumentError", code: "UND_ERR_INVALID_ARG" }));
    expect(classifyNetworkError(refusedHeader)).to.equal(undefined);
    expect(classifyNetworkError(fetchFailed(Object.assign(new Error("expect header not supported"), { code: "UND_ERR_NOT_SUPPORTED" })))).to.equal(undefined);
  });

  it("still counts a fetch failure whose cause is a network code", () => {
    expect(classifyNetworkError(fetchFailed(coded("ENOTFOUND", "getaddrinfo ENOTFOUND evil.test")))).to.equal("dns");
    expect(classifyNetworkError(new TypeError("terminated"))).to.equal("unknown");
  });

  it("survives cyclic causes", () => {
    const a = new Error("a") as Error & { cause?: unknown };
    a.cause = a;
    expect(classifyNetworkError(a)).to.equal(undefined);
  });
});

describe("classifyFlattenedNetworkFailure", () => {
  it("reads codes from flattened text with the same table (EPIPE is a reset in both)", () => {
    expect(classifyFlattenedNetworkFailure("TypeError", "fetch failed", undefined, "EPIPE write EPIPE")).to.equal("connection-reset");
    expect(classifyNetworkError(fetchFailed(coded("EPIPE")))).to.equal("connection-reset");
    expect(classifyFlattenedNetworkFailure("Error", "request failed: ECONNREFUSED 127.0.0.1:1")).to.equal("connection-refused");
    expect(classifyFlattenedNetworkFailure("TypeError", "fetch failed", "at x", "UND_ERR_SOCKET other side closed")).to.equal("socket-closed");
    expect(classifyFlattenedNetworkFailure("TypeError", "Failed to fetch")).to.equal("cors-or-network");
    expect(classifyFlattenedNetworkFailure("TypeError", "fetch failed")).to.equal("unknown");
  });

  it("returns undefined when the text describes no failed fetch", () => {
    expect(classifyFlattenedNetworkFailure("Error", "boom")).to.equal(undefined);
    expect(classifyFlattenedNetworkFailure("SyntaxError", "Unexpected token")).to.equal(undefined);
  });

  it("does not count a TypeError by its name alone: only a failed fetch is a network failure", () => {
    expect(classifyFlattenedNetworkFailure("TypeError", "Failed to parse URL from /v1.0/x")).to.equal(undefined);
    expect(classifyFlattenedNetworkFailure("TypeError", 'Headers.append: "x\ny" is an invalid header value.')).to.equal(undefined);
    expect(classifyFlattenedNetworkFailure("TypeError", "Cannot read properties of null (reading 'constructor')")).to.equal(undefined);
    expect(classifyFlattenedNetworkFailure("TypeError", "fetch failed", undefined, "UND_ERR_INVALID_ARG invalid transfer-encoding header")).to.equal(undefined);
    expect(classifyFlattenedNetworkFailure("TypeError", "fetch failed")).to.equal("unknown");
    expect(classifyFlattenedNetworkFailure("TypeError", "terminated")).to.equal("socket-closed");
    expect(classifyFlattenedNetworkFailure("TypeError", "NetworkError when attempting to fetch resource.")).to.equal("cors-or-network");
  });
});

describe("networkFailureHint", () => {
  it("names CORS and connectivity for a browser's opaque failure only", () => {
    expect(networkFailureHint("cors-or-network")).to.match(/CORS/).and.match(/unreachable/);
    expect(networkFailureHint("connection-reset")).to.equal("");
    expect(networkFailureHint("unknown")).to.equal("");
  });
});
