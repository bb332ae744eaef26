import { expect } from "chai";
import {
  HTTPMessageHandler,
  RedirectHandler,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type AuthenticationProvider,
} from "@microsoft/microsoft-graph-client";
import { SecureAuthenticationHandler } from "../../lib/auth/SecureAuthenticationHandler.js";
import { buildMiddlewareChain } from "../../lib/client/buildMiddlewareChain.js";
import { isNodeRuntime } from "../../lib/client/isNodeRuntime.js";

const authProvider: AuthenticationProvider = { getAccessToken: async () => "token" };
const names = (chain: object[]): string[] => chain.map((m) => m.constructor.name);

/** Runs `fn` while `globalThis.process` is hidden, as in a browser. */
function withoutProcess<T>(fn: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, "process");
  if (descriptor === undefined) throw new Error("no process property to hide");
  Object.defineProperty(globalThis, "process", { value: undefined, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    Object.defineProperty(globalThis, "process", descriptor);
  }
}

describe("client/buildMiddlewareChain", () => {
  it("orders auth, retry, redirect (Node), telemetry, transport", () => {
    const chain = buildMiddlewareChain({ authProvider });
    expect(chain[0]).to.be.instanceOf(SecureAuthenticationHandler);
    expect(chain[1]).to.be.instanceOf(RetryHandler);
    expect(chain[2]).to.be.instanceOf(RedirectHandler);
    expect(chain[3]).to.be.instanceOf(TelemetryHandler);
    expect(chain[4]).to.be.instanceOf(HTTPMessageHandler);
    expect(chain).to.have.length(5);
  });

  it("leaves the retry step out with retry: false and passes retry options through", () => {
    expect(names(buildMiddlewareChain({ authProvider, retry: false }))).to.deep.equal([
      "SecureAuthenticationHandler",
      "RedirectHandler",
      "TelemetryHandler",
      "HTTPMessageHandler",
    ]);
    const options = new RetryHandlerOptions(1, 2);
    const retry = buildMiddlewareChain({ authProvider, retry: options })[1] as unknown as { options: RetryHandlerOptions };
    expect(retry.options).to.equal(options);
  });

  it("leaves the redirect handler out outside Node, without importing anything from Node", () => {
    expect(isNodeRuntime()).to.equal(true);
    const chain = withoutProcess(() => {
      expect(isNodeRuntime()).to.equal(false);
      return buildMiddlewareChain({ authProvider });
    });
    expect(names(chain)).to.deep.equal(["SecureAuthenticationHandler", "RetryHandler", "TelemetryHandler", "HTTPMessageHandler"]);
    expect(isNodeRuntime()).to.equal(true);
  });
});
