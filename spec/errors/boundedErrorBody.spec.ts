import { expect } from "chai";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { AttemptTimeoutError } from "../../lib/errors/AttemptTimeoutError.js";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { MAX_ERROR_BODY_CHARS, TRUNCATED_BODY_MARKER, boundErrorBody, causeWithoutBody } from "../../lib/errors/boundedErrorBody.js";

describe("errors/boundedErrorBody", () => {
  it("keeps a body up to the limit as it is, and cuts a longer one with a marker", () => {
    expect(boundErrorBody(null)).to.equal(null);
    const exact = "a".repeat(MAX_ERROR_BODY_CHARS);
    expect(boundErrorBody(exact)).to.equal(exact);
    expect(boundErrorBody(exact + "b")).to.equal(exact + TRUNCATED_BODY_MARKER);
  });

  it("GraphRequestError keeps at most the limit of its body", () => {
    const error = new GraphRequestError(503, "m", { body: "x".repeat(1_000_000) });
    expect(error.body).to.have.length(MAX_ERROR_BODY_CHARS + TRUNCATED_BODY_MARKER.length);
  });

  it("GraphRequestError keeps causes as copies without bodies, of the same class and fields", () => {
    const earlier = new GraphRequestError(503, "first", { code: "serviceNotAvailable", requestId: "r1", body: '{"error":{}}', attempts: 1 });
    const timeout = new AttemptTimeoutError(200, { attempts: 2 });
    const foreign = new Error("other");
    const error = new GraphRequestError(503, "last", { causes: [earlier, timeout, foreign] });
    const [first, second, third] = error.causes as [GraphRequestError, AttemptTimeoutError, Error];
    expect(first).to.not.equal(earlier);
    expect(first).to.be.instanceOf(GraphRequestError).and.include({ statusCode: 503, code: "serviceNotAvailable", requestId: "r1", body: null, message: "first" });
    expect(first.stack).to.equal(earlier.stack);
    expect(earlier.body).to.equal('{"error":{}}'); // the original is left alone
    expect(second).to.equal(timeout); // no body: kept as it is
    expect(third).to.equal(foreign);
  });

  it("copies an official GraphError with a body too", () => {
    const official = new GraphError(500, "x");
    official.body = "b".repeat(10);
    const copy = causeWithoutBody(official) as GraphError;
    expect(copy).to.be.instanceOf(GraphError).and.include({ statusCode: 500, body: null });
  });
});
