import { expect } from "chai";
import {
  HTTPMessageHandler,
  RedirectHandler,
  TelemetryHandler,
  type AuthenticationProvider,
} from "@microsoft/microsoft-graph-client";
import { SecureAuthenticationHandler } from "../../lib/auth/SecureAuthenticationHandler.js";
import { buildMiddlewareChain } from "../../lib/client/buildMiddlewareChain.js";
import { isNodeRuntime } from "../../lib/client/isNodeRuntime.js";
import { ResilientRetryHandler } from "../../lib/retry/ResilientRetryHandler.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";

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
  it("orders auth, retry, throttle, redirect (Node), telemetry, transport", () => {
    const chain = buildMiddlewareChain({ authProvider });
    expect(chain[0]).to.be.instanceOf(SecureAuthenticationHandler);
    expect(chain[1]).to.be.instanceOf(ResilientRetryHandler);
    expect(chain[2]).to.be.instanceOf(ThrottleHandler);
    expect(chain[3]).to.be.instanceOf(RedirectHandler);
    expect(chain[4]).to.be.instanceOf(TelemetryHandler);
    expect(chain[5]).to.be.instanceOf(HTTPMessageHandler);
    expect(chain).to.have.length(6);
  });

  it("leaves the retry and throttle steps out with false, and passes options through", () => {
    expect(names(buildMiddlewareChain({ authProvider, retry: false, throttle: false }))).to.deep.equal([
      "SecureAuthenticationHandler",
      "RedirectHandler",
      "TelemetryHandler",
      "HTTPMessageHandler",
    ]);
    const retry = buildMiddlewareChain({ authProvider, retry: { maxRetries: 17 }, throttle: false })[1];
    expect(retry).to.be.instanceOf(ResilientRetryHandler);
    expect((retry as ResilientRetryHandler).options.maxRetries).to.equal(17);
  });

  it("uses handler instances the caller built, so their stats and events stay reachable", () => {
    const retry = new ResilientRetryHandler({ maxRetries: 2 });
    const throttle = new ThrottleHandler({ maxQueue: 5 });
    const chain = buildMiddlewareChain({ authProvider, retry, throttle });
    expect(chain[1]).to.equal(retry);
    expect(chain[2]).to.equal(throttle);
  });

  it("leaves the redirect handler out outside Node, without importing anything from Node", () => {
    expect(isNodeRuntime()).to.equal(true);
    const chain = withoutProcess(() => {
      expect(isNodeRuntime()).to.equal(false);
      return buildMiddlewareChain({ authProvider });
    });
    expect(names(chain)).to.deep.equal(["SecureAuthenticationHandler", "ResilientRetryHandler", "ThrottleHandler", "TelemetryHandler", "HTTPMessageHandler"]);
    expect(isNodeRuntime()).to.equal(true);
  });
});
