import { expect } from "chai";
import { Client } from "@microsoft/microsoft-graph-client";
import { extendClient } from "../../lib/client/extendClient.js";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import { FakeTransport, jsonResponse } from "./support/fakeTransport.js";

describe("client/extendClient", () => {
  it("adds the method to a Client.initWithMiddleware client and returns the same instance", async () => {
    const transport = new FakeTransport(() => jsonResponse(200, { id: "x", displayName: "n" }));
    const client = Client.initWithMiddleware({ middleware: [transport] });
    const extended = extendClient(client);
    expect(extended).to.equal(client);
    expect(await extended.softwareUpdateStatusSummary().get()).to.deep.equal({ id: "x", displayName: "n" });
  });

  it("adds it to a Client.init client without touching Client.prototype", () => {
    const client = extendClient(Client.init({ authProvider: (done) => done(null, "token") }));
    expect(client.softwareUpdateStatusSummary).to.be.a("function");
    expect(Object.getOwnPropertyNames(Client.prototype)).to.not.include("softwareUpdateStatusSummary");
    expect(Object.keys(client)).to.not.include("softwareUpdateStatusSummary");
  });

  it("is idempotent", () => {
    const client = Client.initWithMiddleware({ middleware: [new FakeTransport()] });
    const first = extendClient(client).softwareUpdateStatusSummary;
    const again = extendClient(extendClient(client));
    expect(again).to.equal(client);
    expect(again.softwareUpdateStatusSummary).to.equal(first);
  });

  it("leaves client.api() working as before", async () => {
    const transport = new FakeTransport(() => jsonResponse(200, { displayName: "Me" }));
    const client = extendClient(Client.initWithMiddleware({ middleware: [transport] }));
    expect(await client.api("/me").select("displayName").get()).to.deep.equal({ displayName: "Me" });
    expect(transport.requests[0]?.url).to.equal("https://graph.microsoft.com/v1.0/me?$select=displayName");
  });

  it("rejects what is not a client", () => {
    expect(() => extendClient(undefined as unknown as Client)).to.throw(InvalidOptionsError);
    expect(() => extendClient({} as Client)).to.throw(InvalidOptionsError);
  });
});
