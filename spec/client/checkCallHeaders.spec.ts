import { expect } from "chai";
import { checkCallHeaders } from "../../lib/client/checkCallHeaders.js";
import { ValidationError } from "../../lib/errors/ValidationError.js";
import { FakeTransport, fakeClient } from "./support/fakeTransport.js";

describe("client/checkCallHeaders", () => {
  it("accepts ordinary headers", () => {
    expect(checkCallHeaders(undefined)).to.deep.equal([]);
    expect(checkCallHeaders({ "client-request-id": "abc", Prefer: "return=representation", "If-Match": 'W/"1"', "X-Tab": "a\tb" })).to.deep.equal([]);
  });

  it("refuses the headers the client or the transport owns, whatever their case", () => {
    const issues = checkCallHeaders({
      "Content-Length": "1",
      host: "evil.test",
      AUTHORIZATION: "Bearer x",
      "Transfer-Encoding": "chunked",
      Connection: "close",
    });
    expect(issues.map((i) => i.path)).to.deep.equal([
      "headers.Content-Length",
      "headers.host",
      "headers.AUTHORIZATION",
      "headers.Transfer-Encoding",
      "headers.Connection",
    ]);
    for (const issue of issues) expect(issue.message).to.match(/^may not be set per call: it /);
  });

  it("refuses invalid names and values without quoting the value", () => {
    const issues = checkCallHeaders({ "a b": "x", "X-Line": "secret\r\nInjected: 1", "X-Nul": "a\0b", "X-Wide": "€", "X-Obj": {} as unknown as string });
    expect(issues).to.deep.equal([
      { path: "headers.a b", message: "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)" },
      { path: "headers.X-Line", message: "contains a control character (such as a line break), which a header value cannot hold" },
      { path: "headers.X-Nul", message: "contains a control character (such as a line break), which a header value cannot hold" },
      { path: "headers.X-Wide", message: "contains a character above U+00FF, which a header value cannot hold" },
      { path: "headers.X-Obj", message: "must be a string, got object" },
    ]);
    // As before: numbers are sent as digits, and a non-string client-request-id is replaced by a fresh one.
    expect(checkCallHeaders({ "X-Count": 5 as unknown as string, "client-request-id": 7 as unknown as string })).to.deep.equal([]);
    expect(checkCallHeaders(["x"])).to.deep.equal([{ path: "headers", message: "must be an object of header names to string values" }]);
  });

  it("makes get() and update() throw one ValidationError listing every problem, sending nothing", async () => {
    const transport = new FakeTransport();
    const builder = fakeClient(transport).softwareUpdateStatusSummary();
    const error = await builder
      .update({ displayName: "x" }, { headers: { "Content-Length": "1", "X-Bad": "a\nb" }, middlewareOptions: [null as never] })
      .then(() => undefined, (e: unknown) => e);
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).to.deep.equal(["headers.Content-Length", "headers.X-Bad", "middlewareOptions[0]"]);
    const getError = await builder.get({ headers: { Host: "evil.test" } }).then(() => undefined, (e: unknown) => e);
    expect(getError).to.be.instanceOf(ValidationError);
    expect(transport.requests).to.have.length(0);
  });
});
