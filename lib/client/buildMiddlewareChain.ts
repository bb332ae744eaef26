import { ChaosHandler, TelemetryHandler, type AuthenticationProvider, type Middleware } from "@microsoft/microsoft-graph-client";
import { UnhonouredOptionsHandler } from "./UnhonouredOptionsHandler.js";
import { SecureAuthenticationHandler } from "../auth/SecureAuthenticationHandler.js";
import { SecureRedirectHandler } from "../auth/SecureRedirectHandler.js";
import { ResilientRetryHandler } from "../retry/ResilientRetryHandler.js";
import { createHttpMessageHandler } from "./fetchPolyfill.js";
import { ThrottleHandler } from "../throttle/ThrottleHandler.js";
import { BatchHandler } from "../batch/BatchHandler.js";
import type { BatchHandlerOptions } from "../batch/BatchHandlerOptions.js";
import type { ThrottleHandlerOptions } from "../throttle/ThrottleHandlerOptions.js";
import type { ResilientRetryOptions } from "../retry/ResilientRetryOptions.js";
import type { RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import type { GraphLogger } from "../chain/logger.js";
import { logRetryEvents } from "../retry/logRetryEvents.js";
import { isStockRetryOptions } from "../retry/stockRetryOptions.js";

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
 * Where your middleware goes in the chain (each list in order). Every middleware needs
 * `execute(context)` and `setNext(next)`, and belongs to one client's chain.
 */
export interface MiddlewarePositions {
  /** First of all, once per logical call, before the token is added (sees no `Authorization`). @default none */
  readonly beforeAuth?: readonly Middleware[];
  /** After authentication, before retry: once per logical call (logging a call, its final outcome). @default none */
  readonly beforeRetry?: readonly Middleware[];
  /** Between retry and throttle: once per attempt, before the throttle paces it. @default none */
  readonly beforeThrottle?: readonly Middleware[];
  /**
   * Last before the transport (after throttle, redirect and telemetry): once per attempt and per
   * redirect hop. Fault injection (the official `ChaosHandler`) belongs here, so retry and throttle see its faults.
   * @default none
   */
  readonly beforeTransport?: readonly Middleware[];
}

/**
 * The throttle step: options for a new `ThrottleHandler`, or a handler you built (to read its
 * `stats()` or subscribe to `onThrottle`). A handler instance belongs to one client's chain.
 */
export type ThrottleStepOptions = ThrottleHandlerOptions | ThrottleHandler;

/**
 * The JSON batching step: options for a new `BatchHandler`, or a handler you built. A handler
 * instance belongs to one client's chain.
 */
export type BatchStepOptions = BatchHandlerOptions | BatchHandler;

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
  /** Retry step options, the stock `RetryHandlerOptions`, or `false` for no retry step. @default the step's defaults */
  readonly retry?: RetryStepOptions | RetryHandlerOptions | false;
  /** Throttle step options, or `false` for no throttle step. @default the step's defaults */
  readonly throttle?: ThrottleStepOptions | false;
  /** JSON batching step options, or `false` to pass `$batch` requests through untouched. @default the step's defaults */
  readonly batch?: BatchStepOptions | false;
  /** Your middleware, by position. @default none */
  readonly middleware?: MiddlewarePositions;
  /** Receives retries, give-ups, throttle waits and store outages. @default none */
  readonly logger?: GraphLogger;
  /** Circuit-breaker step options, or `false` (the default) for none. @default false */
  readonly breaker?: BreakerStepOptions | false;
}

/**
 * The retry step: your handler as is (it logs to its own `logger`), or a new handler with the
 * client's logger unless the options name one (the stock options have no logger: it is subscribed).
 */
function retryStep(retry: RetryStepOptions | RetryHandlerOptions | undefined, logger: GraphLogger | undefined): ResilientRetryHandler {
  if (retry instanceof ResilientRetryHandler) return retry;
  if (isStockRetryOptions(retry)) {
    const handler = new ResilientRetryHandler(retry);
    if (logger !== undefined) logRetryEvents(handler, logger);
    return handler;
  }
  return new ResilientRetryHandler({ logger, ...retry });
}

/**
 * Assembles the middleware chain, outermost first:
 * `UnhonouredOptionsHandler` → [beforeAuth] → `SecureAuthenticationHandler` → call span → [beforeRetry] →
 * [retry] → [breaker] → [batch] → [beforeThrottle] → [throttle] → attempt span → `SecureRedirectHandler` →
 * `TelemetryHandler` → [beforeTransport] → `HTTPMessageHandler` (which loads a `fetch` polyfill first where the
 * runtime has no `fetch`). The redirect step replaces the official
 * `RedirectHandler` in every runtime: in Node it applies the token rules to each hop; in a
 * browser it keeps writes from being silently turned into GETs (see `SecureRedirectHandler`).
 * @param options - Provider, hosts and step options.
 * @returns The handlers in order; `Client.initWithMiddleware({ middleware })` links them.
 */
export function buildMiddlewareChain(options: MiddlewareChainOptions): Middleware[] {
  // Read once: both handlers need the hosts, and an iterable may be single-use.
  const customHosts = options.customHosts === undefined ? undefined : [...options.customHosts];
  const user = options.middleware ?? {};
  const { logger } = options;
  const honoured = { retry: options.retry !== false, chaos: Object.values(user).some((list: readonly Middleware[] | undefined) => list?.some((m) => m instanceof ChaosHandler)) };
  // The telemetry steps do nothing, and load nothing, until an OpenTelemetry SDK is registered.
  const chain: Middleware[] = [
    new UnhonouredOptionsHandler(honoured),
    ...(user.beforeAuth ?? []),
    new SecureAuthenticationHandler(options.authProvider, { customHosts }),
    new TelemetryCallHandler(),
    ...(user.beforeRetry ?? []),
  ];

  // Retry sits outside throttle so every retried attempt is paced by the throttle again.
  if (options.retry !== false) {
    const retry = retryStep(options.retry, logger);
    observeRetries(retry);
    chain.push(retry);
  }
  // The breaker sits between them: each attempt counts once, and a refused one takes no throttle slot.
  if (options.breaker !== undefined && options.breaker !== false) {
    chain.push(options.breaker instanceof CircuitBreakerHandler ? options.breaker : new CircuitBreakerHandler(options.breaker));
  }
  // Batch sits between them: the retry handler re-sends a batch refused as a whole, the batch step
  // re-sends the refused requests inside a batch, and the throttle paces every round's sub-requests.
  if (options.batch !== false) {
    // A handler you built logs to its own logger; a new one gets the client's unless its options name one.
    chain.push(options.batch instanceof BatchHandler ? options.batch : new BatchHandler({ logger, ...options.batch }));
  }
  chain.push(...(user.beforeThrottle ?? []));
  if (options.throttle !== false) {
    // A handler you built logs to its own logger; options take the client's unless they name one.
    const throttle = options.throttle instanceof ThrottleHandler ? options.throttle : new ThrottleHandler({ logger, ...options.throttle });
    observeThrottle(throttle);
    chain.push(new TelemetryQueueMarkHandler(), throttle);
  }

  chain.push(
    new TelemetryAttemptHandler(),
    new SecureRedirectHandler({ customHosts, logger }),
    new TelemetryHandler(),
    ...(user.beforeTransport ?? []),
    createHttpMessageHandler(),
  );
  return chain;
}
