import { expect } from "chai";
import { isLoopbackHostname } from "../../lib/chain/isLoopbackHostname.js";

const hostnameOf = (url: string): string => new URL(url).hostname;

describe("auth/isLoopbackHostname", () => {
  it("accepts localhost, 127.0.0.0/8, [::1] and IPv4-mapped 127.x, as the URL parser writes them", () => {
    for (const url of [
      "http://localhost/",
      "http://LOCALHOST:8080/",
      "http://127.0.0.1/",
      "http://127.255.3.4/",
      "http://127.1/",
      "http://[::1]:3000/",
      "http://[0:0:0:0:0:0:0:1]/",
      "http://[::ffff:127.0.0.1]/",
    ]) {
      expect(isLoopbackHostname(hostnameOf(url)), url).to.equal(true);
    }
  });

  it("rejects other hosts, including look-alikes", () => {
    for (const url of [
      "http://128.0.0.1/",
      "http://10.0.0.1/",
      "http://0.0.0.0/",
      "http://localhost.example.com/",
      "http://127.0.0.1.example.com/",
      "http://[::2]/",
      "http://[::ffff:10.0.0.1]/",
      "http://graph.microsoft.com/",
    ]) {
      expect(isLoopbackHostname(hostnameOf(url)), url).to.equal(false);
    }
  });
});
