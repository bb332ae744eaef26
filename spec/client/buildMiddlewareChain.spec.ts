import { expect } from "chai";
import { HTTPMessageHandler, TelemetryHandler, type AuthenticationProvider } from "@microsoft/microsoft-graph-client";
import { SecureAuthenticationHandler } from "../../lib/auth/SecureAuthenticationHandler.js";
import { SecureRedirectHandler } from "../../lib/auth/SecureRedirectHandler.js";
import { buildMiddlewareChain } from "../../lib/client/buildMiddlewareChain.js";
import { UnhonouredOptionsHandler } from "../../lib/client/UnhonouredOptionsHandler.js";
import { ResilientRetryHandler } from "../../lib/retry/ResilientRetryHandler.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import { BatchHandler } from "../../lib/batch/BatchHandler.js";
import { CircuitBreakerHandler } from "../../lib/breaker/CircuitBreakerHandler.js";
import { TelemetryCallHandler } from "../../lib/telemetry/TelemetryCallHandler.js";
import { TelemetryAttemptHandler, TelemetryQueueMarkHandler } from "../../lib/telemetry/TelemetryAttemptHandler.js";

const authProvider: AuthenticationProvider = { getAccessToken: async () => "token" };
/** The chain without its first step, the check of unhonoured stock options (tested in ecosystem.http.spec.ts). */
function build(options: Parameters<typeof buildMiddlewareChain>[0]): ReturnType<typeof buildMiddlewareChain> {
  const chain = buildMiddlewareChain(options);
  expect(chain[0]).to.be.instanceOf(UnhonouredOptionsHandler);
  return chain.slice(1);
}
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
  it("orders auth, call span, retry, batch, throttle, attempt span, redirect, telemetry, transport", () => {
    const chain = build({ authProvider });
    expect(chain[0]).to.be.instanceOf(SecureAuthenticationHandler);
    expect(chain[1]).to.be.instanceOf(TelemetryCallHandler);
    expect(chain[2]).to.be.instanceOf(ResilientRetryHandler);
    expect(chain[3]).to.be.instanceOf(BatchHandler);
    expect(chain[4]).to.be.instanceOf(TelemetryQueueMarkHandler);
    expect(chain[5]).to.be.instanceOf(ThrottleHandler);
    expect(chain[6]).to.be.instanceOf(TelemetryAttemptHandler);
    expect(chain[7]).to.be.instanceOf(SecureRedirectHandler);
    expect(chain[8]).to.be.instanceOf(TelemetryHandler);
    expect(chain[9]).to.be.instanceOf(HTTPMessageHandler);
    expect(chain).to.have.length(10);
  });

  it("puts the circuit breaker, when asked for, between retry and batch", () => {
    const breaker = new CircuitBreakerHandler();
    const chain = build({ authProvider, breaker });
    expect(chain.indexOf(breaker)).to.equal(chain.findIndex((m) => m instanceof ResilientRetryHandler) + 1);
    expect(chain[chain.indexOf(breaker) + 1]).to.be.instanceOf(BatchHandler);
    expect(names(build({ authProvider, breaker: { consecutiveFailures: 3 } }))).to.include("CircuitBreakerHandler");
    expect(names(build({ authProvider }))).not.to.include("CircuitBreakerHandler");
  });

  it("leaves the retry and throttle steps out with false, and passes options through", () => {
    expect(names(build({ authProvider, retry: false, throttle: false, batch: false }))).to.deep.equal([
      "SecureAuthenticationHandler",
      "TelemetryCallHandler",
      "TelemetryAttemptHandler",
      "SecureRedirectHandler",
      "TelemetryHandler",
      "HTTPMessageHandler",
    ]);
    const retry = build({ authProvider, retry: { maxRetries: 17 }, throttle: false, batch: false })[2];
    expect(retry).to.be.instanceOf(ResilientRetryHandler);
    expect((retry as ResilientRetryHandler).options.maxRetries).to.equal(17);
  });

  it("uses handler instances the caller built, so their stats and events stay reachable", () => {
    const retry = new ResilientRetryHandler({ maxRetries: 2 });
    const throttle = new ThrottleHandler({ maxQueue: 5 });
    const batch = new BatchHandler({ maxRetries: 1 });
    const chain = build({ authProvider, retry, throttle, batch });
    expect(chain[2]).to.equal(retry);
    expect(chain[3]).to.equal(batch);
    expect(chain[5]).to.equal(throttle);
  });

  it("keeps the redirect step in browsers too, where it stops writes from being followed as GETs", () => {
    const chain = withoutProcess(() => build({ authProvider }));
    expect(names(chain)).to.deep.equal([
      "SecureAuthenticationHandler",
      "TelemetryCallHandler",
      "ResilientRetryHandler",
      "BatchHandler",
      "TelemetryQueueMarkHandler",
      "ThrottleHandler",
      "TelemetryAttemptHandler",
      "SecureRedirectHandler",
      "TelemetryHandler",
      "HTTPMessageHandler",
    ]);
  });

  it("gives a single-use customHosts iterable to both the auth and the redirect step", () => {
    function* hosts(): Generator<string> {
      yield "127.0.0.1:8443";
    }
    const chain = build({ authProvider, customHosts: hosts() });
    const auth = chain[0] as unknown as { customHosts: readonly string[] };
    const redirect = chain[7] as unknown as { customHosts: readonly string[] };
    expect(auth.customHosts).to.deep.equal(["127.0.0.1:8443"]);
    expect(redirect.customHosts).to.deep.equal(["127.0.0.1:8443"]);
  });
});
