import { HTTPMessageHandler, type Context } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createHttpMessageHandler, loadFetchPolyfill } from "../../lib/client/fetchPolyfill.js";

describe("client/fetchPolyfill", () => {
  it("loads nothing where the runtime has fetch, and uses the official handler as it is", () => {
    expect(loadFetchPolyfill()).to.equal(undefined);
    expect(createHttpMessageHandler().constructor).to.equal(HTTPMessageHandler);
  });

  it("loads isomorphic-fetch before the first request where the runtime has no fetch", async () => {
    const server = createServer((_req, res) => res.writeHead(200, { "Content-Type": "text/plain" }).end("hello"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const saved = { fetch: globalThis.fetch, Headers: globalThis.Headers, Request: globalThis.Request, Response: globalThis.Response };
    const globals = globalThis as unknown as Record<string, unknown>;
    try {
      for (const name of Object.keys(saved)) delete globals[name];
      const handler = createHttpMessageHandler();
      expect(handler).to.be.instanceOf(HTTPMessageHandler);
      expect(handler.constructor).to.not.equal(HTTPMessageHandler);
      const context = { request: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, options: { method: "GET" } } as Context;
      await handler.execute(context);
      expect(context.response?.status).to.equal(200);
      expect(await context.response?.text()).to.equal("hello");
      // node-fetch, installed by the polyfill: not the runtime's own.
      expect(typeof globalThis.fetch).to.equal("function");
      expect(globalThis.fetch).to.not.equal(saved.fetch);
    } finally {
      Object.assign(globals, saved);
      server.close();
    }
  });
});
