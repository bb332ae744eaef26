import { expect } from "chai";
import { isIdempotentMethod, isReplayableBody, isReplayableRequest } from "../../lib/chain/requestSafety.js";

describe("requestSafety", () => {
  it("knows the idempotent methods, in any case", () => {
    for (const m of ["GET", "head", "PUT", "DELETE", "OPTIONS"]) expect(isIdempotentMethod(m), m).to.equal(true);
    for (const m of ["PATCH", "POST", "patch"]) expect(isIdempotentMethod(m), m).to.equal(false);
  });

  it("accepts only bodies held in memory", () => {
    for (const body of [undefined, null, "{}", new ArrayBuffer(4), new Uint8Array(2), new DataView(new ArrayBuffer(1)), new URLSearchParams("a=1")]) {
      expect(isReplayableBody(body), String(body)).to.equal(true);
    }
    const stream = new ReadableStream();
    const form = new FormData();
    for (const body of [stream, new Blob(["x"]).stream(), new Blob(["x"]), form, { pipe() {} }]) {
      expect(isReplayableBody(body)).to.equal(false);
    }
  });

  it("refuses a Request object that carries a body", () => {
    expect(isReplayableRequest(new Request("https://x/", { method: "POST", body: "a" }), undefined)).to.equal(false);
    expect(isReplayableRequest(new Request("https://x/"), undefined)).to.equal(true);
    expect(isReplayableRequest("https://x/", "{}")).to.equal(true);
  });
});
