import { expect } from "chai";
import { GraphError } from "@microsoft/microsoft-graph-client";
import { GraphNetworkError } from "../../lib/errors/GraphNetworkError.js";
import { GraphRequestError } from "../../lib/errors/GraphRequestError.js";
import { FakeTransport, fakeClient } from "./support/fakeTransport.js";

const failWith = (error: unknown): Promise<unknown> =>
  fakeClient(
    new FakeTransport(() => {
      throw error;
    }),
  )
    .softwareUpdateStatusSummary()
    .get()
    .then(() => undefined, (e: unknown) => e);

describe("client/errorFromThrown", () => {
  it("reports a TypeError that rejects the input as an invalid request, not a network failure", async () => {
    for (const thrown of [
      new TypeError("Failed to parse URL from /v1.0/x"),
      new TypeError('Headers.append: "x\ny" is an invalid header value.'),
      new TypeError("Cannot read properties of null (reading 'constructor')"),
    ]) {
      const error = await failWith(thrown);
      expect(error, thrown.message).to.be.instanceOf(GraphRequestError).and.not.instanceOf(GraphNetworkError);
      expect(error).to.include({ statusCode: -1, code: "TypeError" });
      expect((error as Error).message).to.match(/^Invalid request \(not a network failure\): /);
      expect((error as { cause?: unknown }).cause).to.be.instanceOf(GraphError);
    }
  });

  it("still reports a failed fetch as a GraphNetworkError", async () => {
    expect(await failWith(new TypeError("fetch failed"))).to.be.instanceOf(GraphNetworkError);
    const opaque = await failWith(new TypeError("Failed to fetch"));
    expect(opaque).to.be.instanceOf(GraphNetworkError).and.include({ kind: "cors-or-network" });
    expect((opaque as Error).message).to.match(/CORS/);
  });

  it("redacts a token quoted in the lower layer's message", async () => {
    const error = await failWith(new TypeError('Headers.append: "Bearer eyJ0eXAiOiJKV1Qi.eyJ0aWQi.sig\nX" is an invalid header value.'));
    expect((error as Error).message).to.contain('Headers.append: "Bearer ***" is an invalid header value.').and.not.contain("eyJ");
  });
});
