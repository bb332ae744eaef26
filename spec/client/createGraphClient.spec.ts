import { expect } from "chai";
import { Client, type AuthenticationProvider } from "@microsoft/microsoft-graph-client";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import type { CreateGraphClientOptions } from "../../lib/client/CreateGraphClientOptions.js";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";

const authProvider: AuthenticationProvider = { getAccessToken: async () => "token" };

function configOf(client: Client): Record<string, unknown> {
  return (client as unknown as { config: Record<string, unknown> }).config;
}

function invalid(options: unknown): InvalidOptionsError {
  try {
    createGraphClient(options as CreateGraphClientOptions);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidOptionsError);
    return error as InvalidOptionsError;
  }
  throw new Error("expected InvalidOptionsError");
}

describe("client/createGraphClient", () => {
  it("returns an official Client with softwareUpdateStatusSummary() on that instance only", () => {
    const client = createGraphClient({ authProvider });
    expect(client).to.be.instanceOf(Client);
    expect(client.softwareUpdateStatusSummary).to.be.a("function");
    expect(client.softwareUpdateStatusSummary().get).to.be.a("function");
    expect("softwareUpdateStatusSummary" in Client.prototype).to.equal(false);
    expect((Client.init({ authProvider: (done) => done(null, "t") }) as unknown as Record<string, unknown>).softwareUpdateStatusSummary).to.equal(
      undefined,
    );
  });

  it("keeps the official defaults when options are left out (no undefined keys)", () => {
    const config = configOf(createGraphClient({ authProvider }));
    expect(config.baseUrl).to.equal("https://graph.microsoft.com/");
    expect(config.defaultVersion).to.equal("v1.0");
    expect(config).to.not.have.property("fetchOptions");
    expect(config).to.not.have.property("customHosts");
  });

  it("passes baseUrl, defaultVersion, fetchOptions and a normalised customHosts Set to the Client", () => {
    const fetchOptions = { keepalive: true };
    const config = configOf(
      createGraphClient({
        authProvider,
        baseUrl: "https://API.contoso.com:8443/",
        defaultVersion: "beta",
        customHosts: [" API.Contoso.com "],
        fetchOptions,
      }),
    );
    expect(config).to.include({ baseUrl: "https://API.contoso.com:8443/", defaultVersion: "beta", fetchOptions });
    expect([...(config.customHosts as Set<string>)]).to.deep.equal(["api.contoso.com"]);
  });

  it("accepts any national cloud and a loopback emulator over http", () => {
    expect(() => createGraphClient({ authProvider, baseUrl: "https://graph.microsoft.us/" })).to.not.throw();
    expect(() => createGraphClient({ authProvider, baseUrl: "http://127.0.0.1:8080/", customHosts: new Set(["127.0.0.1"]) })).to.not.throw();
    expect(() => createGraphClient({ authProvider, retry: false, throttle: false })).to.not.throw();
    expect(() => createGraphClient({ authProvider, retry: { maxRetries: 1 }, throttle: { maxQueue: 10 } })).to.not.throw();
  });

  it("rejects a missing or unusable authProvider", () => {
    expect(invalid(undefined).message).to.contain("authProvider");
    expect(invalid({}).message).to.match(/authProvider: is required/);
    expect(invalid({ authProvider: {} }).message).to.contain("getAccessToken");
    expect(invalid({ authProvider: (done: unknown) => done }).message).to.contain("getAccessToken");
  });

  it("rejects a baseUrl whose host would not receive the token, and says to add it to customHosts", () => {
    const error = invalid({ authProvider, baseUrl: "https://127.0.0.1:4443/" });
    expect(error.message).to.contain('"127.0.0.1"').and.contain("customHosts");
    expect(invalid({ authProvider, baseUrl: "https://api.contoso.com/", customHosts: ["other.com"] }).message).to.contain('add "api.contoso.com" to customHosts');
  });

  it("rejects plain http off this machine, bad URLs and bad schemes", () => {
    expect(invalid({ authProvider, baseUrl: "http://graph.microsoft.com/" }).message).to.contain("use https:");
    expect(invalid({ authProvider, baseUrl: "graph.microsoft.com" }).message).to.contain("absolute URL");
    expect(invalid({ authProvider, baseUrl: "ftp://graph.microsoft.com/" }).message).to.contain("https:");
  });

  it("rejects a bad defaultVersion, customHosts, fetchOptions, retry and throttle", () => {
    expect(invalid({ authProvider, defaultVersion: "v2.0" }).message).to.contain('"v1.0" or "beta"');
    expect(invalid({ authProvider, customHosts: "127.0.0.1" }).message).to.contain("customHosts");
    expect(invalid({ authProvider, customHosts: ["https://127.0.0.1/"] }).message).to.contain("without scheme or path");
    expect(invalid({ authProvider, customHosts: [42] }).message).to.contain("customHosts");
    expect(invalid({ authProvider, fetchOptions: "x" }).message).to.contain("fetchOptions");
    expect(invalid({ authProvider, retry: "yes" }).message).to.contain("retry");
    expect(invalid({ authProvider, retry: { maxRetries: -1 } }).message).to.contain("maxRetries");
    expect(invalid({ authProvider, throttle: 5 }).message).to.contain("throttle");
    expect(invalid({ authProvider, throttle: { maxQueue: -1 } }).message).to.contain("maxQueue");
  });
});
