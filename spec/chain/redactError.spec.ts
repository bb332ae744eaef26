import { expect } from "chai";
import { redactError, redactSecrets } from "../../lib/chain/redactError.js";

describe("chain/redactError", () => {
  it("masks credentials in connection URLs", () => {
    expect(redactSecrets("connect to redis://app:s3cret@cache.internal:6379 failed")).to.equal(
      "connect to redis://***@cache.internal:6379 failed",
    );
    expect(redactSecrets("rediss://:pw@host")).to.equal("rediss://***@host");
  });

  it("masks AUTH arguments and bearer tokens", () => {
    expect(redactSecrets("ERR in AUTH default hunter2")).to.equal("ERR in AUTH ***");
    expect(redactSecrets("header Bearer eyJhbGciOi.payload.sig leaked")).to.equal("header Bearer *** leaked");
  });

  it("leaves ordinary messages alone", () => {
    expect(redactSecrets("connect ECONNREFUSED 127.0.0.1:6379")).to.equal("connect ECONNREFUSED 127.0.0.1:6379");
    expect(redactSecrets("NOAUTH Authentication required.")).to.equal("NOAUTH Authentication required.");
  });

  it("copies name and cleaned message into a new Error without the original attached", () => {
    const original = Object.assign(new TypeError("redis://u:p@h down"), { options: { password: "p" } });
    const redacted = redactError(original);
    expect(redacted).to.be.instanceOf(Error).and.not.equal(original);
    expect(redacted.name).to.equal("TypeError");
    expect(redacted.message).to.equal("redis://***@h down");
    expect(JSON.stringify(Object.entries(redacted))).to.not.include("password");
    expect(redactError("plain text").message).to.equal("plain text");
  });
});
