import type { AuthenticationProvider, Client, FetchOptions, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import type { GraphLogger } from "../chain/logger.js";
import type { BatchStepOptions, BreakerStepOptions, MiddlewarePositions, RetryStepOptions, ThrottleStepOptions } from "./buildMiddlewareChain.js";
import type { GraphApiVersion, SoftwareUpdateStatusSummaryClient } from "./SoftwareUpdateStatusSummaryRequestBuilder.js";

/** Options of {@link createGraphClient}. */
export interface CreateGraphClientOptions {
  /** Gives the access token (the official provider interface, e.g. `TokenCredentialAuthenticationProvider`). */
  readonly authProvider: AuthenticationProvider;
  /**
   * The Graph endpoint. Its host must be a Graph host or listed in `customHosts`, over `https:`
   * (or `http:` to a loopback host, for a local emulator), or the token would never be sent.
   * @default "https://graph.microsoft.com/"
   */
  readonly baseUrl?: string;
  /** The API version used when a call does not name one. @default "v1.0" */
  readonly defaultVersion?: GraphApiVersion;
  /**
   * Hosts besides the Graph hosts that receive the token: `host` (any port) or `host:port`.
   * @default none
   */
  readonly customHosts?: Iterable<string>;
  /** Options passed to every `fetch` (e.g. an undici `dispatcher`). @default none */
  readonly fetchOptions?: FetchOptions;
  /**
   * Retry step options, a handler, or `false` to send every request once (the stock
   * `RetryHandlerOptions` are accepted too: see {@link StockRetryGraphClientOptions}).
   * @default the retry step's defaults
   */
  readonly retry?: RetryStepOptions | false;
  /**
   * Your middleware, inserted at these positions of the chain (see {@link MiddlewarePositions}).
   * @default none
   */
  readonly middleware?: MiddlewarePositions;
  /**
   * Logs retries, give-ups, throttle waits and cooldowns, throttle-store fallback and recovery,
   * and refused redirects; never a token. @default none (silent)
   */
  readonly logger?: GraphLogger;
  /** Throttle step options, or `false` for none. @default the throttle step's defaults */
  readonly throttle?: ThrottleStepOptions | false;
  /**
   * JSON batching step options (re-sending the throttled requests inside a `$batch`), or `false`
   * to pass `$batch` requests through untouched. @default the batch step's defaults
   */
  readonly batch?: BatchStepOptions | false;
  /**
   * A circuit breaker per `tenant/app@host`, between retry and throttle: options, a
   * `CircuitBreakerHandler`, or `false` for none.
   * @default false
   */
  readonly breaker?: BreakerStepOptions | false;
}

/**
 * {@link CreateGraphClientOptions} with the stock `RetryHandlerOptions` as the retry step, mapped
 * onto the retry handler's options as the README's table says. (A separate type, so that a
 * `shouldRetry` in plain retry options keeps its parameter types.)
 */
export interface StockRetryGraphClientOptions extends Omit<CreateGraphClientOptions, "retry"> {
  /** The stock retry options, honoured by the `ResilientRetryHandler`. */
  readonly retry: RetryHandlerOptions;
}

/** The official `Client` with `softwareUpdateStatusSummary()` added. */
export type GraphClient = Client & SoftwareUpdateStatusSummaryClient;
