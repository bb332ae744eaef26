import { expect } from "chai";
import { redactError, redactSecrets } from "../../lib/chain/redactSecrets.js";

const JWT = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJ0aWQiOiJ0ZW5hbnQifQ.c2lnbmF0dXJl";

describe("chain/redactSecrets", () => {
  it("masks a bearer token quoted in a runtime's header error, even one broken by a line break", () => {
    const message = `Headers.append: "Bearer ${JWT}\nrest-of-token" is an invalid header value.`;
    const out = redactSecrets(message);
    expect(out).to.equal('Headers.append: "Bearer ***" is an invalid header value.');
    expect(redactSecrets(`Headers.append: 'Bearer abc\0def' is invalid`)).to.equal("Headers.append: 'Bearer ***' is invalid");
  });

  it("masks bare bearer and basic credentials", () => {
    expect(redactSecrets("sent Authorization: Bearer abc.def-ghi_jkl to x")).to.equal("sent Authorization: Bearer *** to x");
    expect(redactSecrets("Basic dXNlcjpwYXNzd29yZA==")).to.equal("Basic ***");
  });

  it("masks JWTs anywhere, whole or cut after the first segment", () => {
    expect(redactSecrets(`token ${JWT} expired`)).to.equal("token *** expired");
    expect(redactSecrets("starts with eyJ0eXAiOiJKV1Qi…")).to.equal("starts with ***…");
  });

  it("masks credential keys in queries, forms and JSON, and URL credentials", () => {
    expect(redactSecrets("POST /token body grant_type=x&client_secret=s3cr3t&scope=a")).to.equal("POST /token body grant_type=x&client_secret=***&scope=a");
    expect(redactSecrets("https://h/cb?code=abc&state=1#access_token=xyz")).to.equal("https://h/cb?code=***&state=1#access_token=***");
    expect(redactSecrets('{"access_token":"abc","token_type":"Bearer"}')).to.equal('{"access_token":"***","token_type":"Bearer"}');
    expect(redactSecrets("connect to redis://app:pw@cache:6379")).to.equal("connect to redis://***@cache:6379");
  });

  it("leaves ordinary messages alone", () => {
    for (const text of ["fetch failed", "connect ECONNREFUSED 127.0.0.1:443", "Please retry again later.", "Resource not found for the segment 'x'."]) {
      expect(redactSecrets(text)).to.equal(text);
    }
  });
});

describe("chain/redactSecrets: Redis messages and redactError", () => {
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
