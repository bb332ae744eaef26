import { expect } from "chai";
import { checkTokenDestination, parseHostEntry } from "../../lib/auth/checkTokenDestination.js";
import { GRAPH_HOSTS } from "../../lib/chain/graphHosts.js";

describe("auth/checkTokenDestination", () => {
  it("allows every official Graph host over https, whatever the case and port", () => {
    expect([...GRAPH_HOSTS]).to.have.length(6);
    for (const host of GRAPH_HOSTS) {
      expect(checkTokenDestination(`https://${host}/v1.0/me`).allowed, host).to.equal(true);
    }
    expect(checkTokenDestination("https://GRAPH.Microsoft.COM/v1.0/me").allowed).to.equal(true);
    expect(checkTokenDestination("https://graph.microsoft.com:443/v1.0/me").allowed).to.equal(true);
    expect(checkTokenDestination("https://graph.microsoft.com:8443/v1.0/me").allowed).to.equal(true);
  });

  it("refuses a Graph host over plain http (not loopback)", () => {
    expect(checkTokenDestination("http://graph.microsoft.com/v1.0/me")).to.include({ allowed: false, reason: "insecure-scheme" });
  });

  it("refuses unknown hosts and look-alikes", () => {
    for (const url of [
      "https://evil.example.com/v1.0/me",
      "https://graph.microsoft.com.evil.example/v1.0/me",
      "https://evil.example/graph.microsoft.com/v1.0",
      "https://graph.microsoft.com@evil.example/v1.0",
      "https://notgraph.microsoft.com/v1.0",
    ]) {
      expect(checkTokenDestination(url), url).to.include({ allowed: false, reason: "unknown-host" });
    }
  });

  it("refuses unparsable URLs and other schemes", () => {
    expect(checkTokenDestination("graph.microsoft.com/v1.0/me")).to.include({ allowed: false, reason: "invalid-url" });
    expect(checkTokenDestination("ftp://graph.microsoft.com/x")).to.include({ allowed: false, reason: "unsupported-scheme" });
    expect(checkTokenDestination("wss://graph.microsoft.com/x")).to.include({ allowed: false, reason: "unsupported-scheme" });
  });

  it("allows custom hosts over https, case-insensitively, with or without a port", () => {
    expect(checkTokenDestination("https://Api.Contoso.com/v1.0/x", ["api.contoso.com"]).allowed).to.equal(true);
    expect(checkTokenDestination("https://api.contoso.com:8443/v1.0/x", ["API.CONTOSO.COM"]).allowed).to.equal(true);
    expect(checkTokenDestination("https://api.contoso.com:8443/x", ["api.contoso.com:8443"]).allowed).to.equal(true);
    expect(checkTokenDestination("https://api.contoso.com:9443/x", ["api.contoso.com:8443"])).to.include({ reason: "unknown-host" });
    expect(checkTokenDestination("https://api.contoso.com/x", ["api.contoso.com:443"]).allowed).to.equal(true);
    expect(checkTokenDestination("https://api.contoso.com/x", ["other.contoso.com"])).to.include({ reason: "unknown-host" });
  });

  it("allows plain http only to a loopback custom host", () => {
    expect(checkTokenDestination("http://127.0.0.1:4000/v1.0/x", ["127.0.0.1"]).allowed).to.equal(true);
    expect(checkTokenDestination("http://localhost:4000/v1.0/x", ["localhost"]).allowed).to.equal(true);
    expect(checkTokenDestination("http://[::1]:4000/v1.0/x", ["::1"]).allowed).to.equal(true);
    expect(checkTokenDestination("http://[::1]:4000/v1.0/x", ["[::1]:4000"]).allowed).to.equal(true);
    expect(checkTokenDestination("http://127.0.0.1:4000/v1.0/x")).to.include({ reason: "unknown-host" });
    expect(checkTokenDestination("http://api.contoso.com/v1.0/x", ["api.contoso.com"])).to.include({ reason: "insecure-scheme" });
    expect(checkTokenDestination("http://10.1.2.3/v1.0/x", ["10.1.2.3"])).to.include({ reason: "insecure-scheme" });
  });

  it("reads scheme, host and port as parsing the whole URL does, however the URL is spelt (each origin is parsed once and remembered)", () => {
    const hosts = ["api.contoso.com", "127.0.0.1:4000"];
    // The reference: the whole URL parsed, every time.
    const expected = (url: string): boolean => {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return false;
      }
      const port = parsed.port !== "" ? parsed.port : parsed.protocol === "https:" ? "443" : "80";
      const known = GRAPH_HOSTS.has(parsed.hostname) || parsed.hostname === "api.contoso.com" || (parsed.hostname === "127.0.0.1" && port === "4000");
      const scheme = parsed.protocol === "https:" || (parsed.protocol === "http:" && parsed.hostname === "127.0.0.1");
      return known && scheme;
    };
    const urls = [
      "https://graph.microsoft.com/v1.0/me",
      "HTTPS://GRAPH.MICROSOFT.COM/v1.0/me",
      "https://graph.microsoft.com\\evil.example/x",
      "https://evil.example\\@graph.microsoft.com/x",
      "https://graph.microsoft.com@evil.example/x",
      "https://evil.example@graph.microsoft.com/x",
      "https://user:pass@graph.microsoft.com/x",
      "https:///graph.microsoft.com/v1.0/me",
      "https:////evil.example/x",
      "https://graph.microsoft.com.:443/x",
      "https://graph.microsoft.com:0443/x",
      "https://graph.micro\tsoft.com/x",
      "https://graph.microsoft.com?x=https://evil.example",
      "https://graph.microsoft.com#@evil.example",
      "https://%67raph.microsoft.com/x",
      "https://graph.microsoft.com:99999/x",
      "https://[::1]/x",
      "http://127.0.0.1:4000/x",
      "http://127.0.0.1:4001/x",
      "http://0x7f.0.0.1:4000/x",
      "HTTP://API.CONTOSO.COM/x",
      "https://api.contoso.com:8443/x",
      " https://graph.microsoft.com/x",
      "https:graph.microsoft.com/x",
      "ftp://graph.microsoft.com/x",
      "graph.microsoft.com/x",
    ];
    for (let round = 0; round < 2; round += 1) {
      for (const url of urls) expect(checkTokenDestination(url, hosts).allowed, `${url} (round ${round + 1})`).to.equal(expected(url));
    }
  });

  it("ignores invalid customHosts entries", () => {
    expect(checkTokenDestination("https://api.contoso.com/x", ["https://api.contoso.com/", "", "api.contoso.com/x"])).to.include({
      reason: "unknown-host",
    });
  });
});

describe("auth/parseHostEntry", () => {
  it("parses names, IPv4, IPv6 and ports", () => {
    expect(parseHostEntry("Example.COM")).to.deep.equal({ hostname: "example.com", port: undefined });
    expect(parseHostEntry("example.com:08080")).to.deep.equal({ hostname: "example.com", port: "8080" });
    expect(parseHostEntry("127.0.0.1:80")).to.deep.equal({ hostname: "127.0.0.1", port: "80" });
    expect(parseHostEntry("::1")).to.deep.equal({ hostname: "[::1]", port: undefined });
    expect(parseHostEntry("[::1]:3000")).to.deep.equal({ hostname: "[::1]", port: "3000" });
  });

  it("rejects URLs, paths, credentials and empty entries", () => {
    for (const entry of ["", " ", "https://x.com", "x.com/path", "user@x.com", "x.com?q", "x.com:99999", "a b"]) {
      expect(parseHostEntry(entry), entry).to.equal(undefined);
    }
  });
});
