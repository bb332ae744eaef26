import type { AuthenticationProvider, Client, FetchOptions } from "@microsoft/microsoft-graph-client";
import type { BreakerStepOptions, RetryStepOptions, ThrottleStepOptions } from "./buildMiddlewareChain.js";
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
  /** Retry step options, or `false` to send every request once. @default the retry step's defaults */
  readonly retry?: RetryStepOptions | false;
  /** Throttle step options, or `false` for none. @default the throttle step's defaults */
  readonly throttle?: ThrottleStepOptions | false;
  /**
   * A circuit breaker per `tenant/app@host`, between retry and throttle: options, a
   * `CircuitBreakerHandler`, or `false` for none.
   * @default false
   */
  readonly breaker?: BreakerStepOptions | false;
}

/** The official `Client` with `softwareUpdateStatusSummary()` added. */
export type GraphClient = Client & SoftwareUpdateStatusSummaryClient;
