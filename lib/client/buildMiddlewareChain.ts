import {
  HTTPMessageHandler,
  RedirectHandler,
  RedirectHandlerOptions,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type AuthenticationProvider,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { SecureAuthenticationHandler } from "../auth/SecureAuthenticationHandler.js";
import { isNodeRuntime } from "./isNodeRuntime.js";

/**
 * Options of the retry step.
 * LEAD: placeholder — replace with the options of `ResilientRetryHandler` when it is wired in.
 * Until then the stock `RetryHandler` runs with these (official) options.
 */
export type RetryStepOptions = RetryHandlerOptions;

/**
 * Options of the throttle step.
 * LEAD: placeholder — replace with the options of `ThrottleHandler` when it is wired in. Until
 * then there is no throttle step, so only `false` (or leaving it out) is accepted.
 */
export type ThrottleStepOptions = never;

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
}

/**
 * Assembles the middleware chain, outermost first:
 * `SecureAuthenticationHandler` → [retry] → [throttle] → `RedirectHandler` (Node only, as the
 * official factory does) → `TelemetryHandler` → `HTTPMessageHandler`.
 * @param options - Provider, hosts and step options.
 * @returns The handlers in order; `Client.initWithMiddleware({ middleware })` links them.
 */
export function buildMiddlewareChain(options: MiddlewareChainOptions): Middleware[] {
  const chain: Middleware[] = [new SecureAuthenticationHandler(options.authProvider, { customHosts: options.customHosts })];

  // ─── LEAD: the retry and throttle steps go here, in this order. ───────────────────────────
  // Retry sits outside throttle so every retried attempt is paced by the throttle again.
  // Replace the stock handler with: chain.push(new ResilientRetryHandler(options.retry));
  if (options.retry !== false) chain.push(new RetryHandler(options.retry ?? new RetryHandlerOptions()));
  // Then: if (options.throttle !== false) chain.push(new ThrottleHandler(options.throttle));
  // ──────────────────────────────────────────────────────────────────────────────────────────

  if (isNodeRuntime()) chain.push(new RedirectHandler(new RedirectHandlerOptions()));
  chain.push(new TelemetryHandler(), new HTTPMessageHandler());
  return chain;
}
