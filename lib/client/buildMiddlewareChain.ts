import { TelemetryHandler, type AuthenticationProvider, type Middleware } from "@microsoft/microsoft-graph-client";
import { SecureAuthenticationHandler } from "../auth/SecureAuthenticationHandler.js";
import { SecureRedirectHandler } from "../auth/SecureRedirectHandler.js";
import { ResilientRetryHandler } from "../retry/ResilientRetryHandler.js";
import { createHttpMessageHandler } from "./fetchPolyfill.js";
import { ThrottleHandler } from "../throttle/ThrottleHandler.js";
import type { ThrottleHandlerOptions } from "../throttle/ThrottleHandlerOptions.js";
import type { ResilientRetryOptions } from "../retry/ResilientRetryOptions.js";
import { CircuitBreakerHandler } from "../breaker/CircuitBreakerHandler.js";
import type { CircuitBreakerOptions } from "../breaker/CircuitBreakerOptions.js";
import { TelemetryCallHandler } from "../telemetry/TelemetryCallHandler.js";
import { TelemetryAttemptHandler, TelemetryQueueMarkHandler } from "../telemetry/TelemetryAttemptHandler.js";
import { observeThrottle } from "../telemetry/instruments.js";
import { observeRetries } from "../telemetry/observeRetries.js";

/**
 * The retry step: options for a new `ResilientRetryHandler`, or a handler you built (to keep a
 * reference for `onRetry`/`onGiveUp`). A handler instance belongs to one client's chain.
 */
export type RetryStepOptions = Partial<ResilientRetryOptions> | ResilientRetryHandler;

/**
 * The throttle step: options for a new `ThrottleHandler`, or a handler you built (to read its
 * `stats()` or subscribe to `onThrottle`). A handler instance belongs to one client's chain.
 */
export type ThrottleStepOptions = ThrottleHandlerOptions | ThrottleHandler;

/**
 * The circuit-breaker step: options for a new `CircuitBreakerHandler`, or a handler you built (to
 * subscribe to `onStateChange`). A handler instance belongs to one client's chain.
 */
export type BreakerStepOptions = CircuitBreakerOptions | CircuitBreakerHandler;

/** What {@link buildMiddlewareChain} needs. */
export interface MiddlewareChainOptions {
  /** Gives the access token. */
  readonly authProvider: AuthenticationProvider;
  /** Hosts besides the Graph hosts that may receive the token. @default none */
  readonly customHosts?: Iterable<string>;
  /** Retry step options, or `false` for no retry step. @default the step's defaults */
  readonly retry?: RetryStepOptions | false;
  /** Throttle step options, or `false` for no throttle step. @default the step's defaults */
  readonly throttle?: ThrottleStepOptions | false;
  /** Circuit-breaker step options, or `false` (the default) for none. @default false */
  readonly breaker?: BreakerStepOptions | false;
}

/**
 * Assembles the middleware chain, outermost first:
 * `SecureAuthenticationHandler` → call span → [retry] → [breaker] → [throttle] → attempt span →
 * `SecureRedirectHandler` → `TelemetryHandler` → `HTTPMessageHandler` (which loads a `fetch` polyfill first where the
 * runtime has no `fetch`). The redirect step replaces the official
 * `RedirectHandler` in every runtime: in Node it applies the token rules to each hop; in a
 * browser it keeps writes from being silently turned into GETs (see `SecureRedirectHandler`).
 * @param options - Provider, hosts and step options.
 * @returns The handlers in order; `Client.initWithMiddleware({ middleware })` links them.
 */
export function buildMiddlewareChain(options: MiddlewareChainOptions): Middleware[] {
  // Read once: both handlers need the hosts, and an iterable may be single-use.
  const customHosts = options.customHosts === undefined ? undefined : [...options.customHosts];
  // The telemetry steps do nothing, and load nothing, until an OpenTelemetry SDK is registered.
  const chain: Middleware[] = [new SecureAuthenticationHandler(options.authProvider, { customHosts }), new TelemetryCallHandler()];

  // Retry sits outside throttle so every retried attempt is paced by the throttle again.
  if (options.retry !== false) {
    const retry = options.retry instanceof ResilientRetryHandler ? options.retry : new ResilientRetryHandler(options.retry ?? {});
    observeRetries(retry);
    chain.push(retry);
  }
  // The breaker sits between them: each attempt counts once, and a refused one takes no throttle slot.
  if (options.breaker !== undefined && options.breaker !== false) {
    chain.push(options.breaker instanceof CircuitBreakerHandler ? options.breaker : new CircuitBreakerHandler(options.breaker));
  }
  if (options.throttle !== false) {
    const throttle = options.throttle instanceof ThrottleHandler ? options.throttle : new ThrottleHandler(options.throttle ?? {});
    observeThrottle(throttle);
    chain.push(new TelemetryQueueMarkHandler(), throttle);
  }

  chain.push(new TelemetryAttemptHandler(), new SecureRedirectHandler({ customHosts }), new TelemetryHandler(), createHttpMessageHandler());
  return chain;
}
