import type { AuthenticationProvider, FetchOptions } from "@microsoft/microsoft-graph-client";
import { checkTokenDestination, parseHostEntry } from "../auth/checkTokenDestination.js";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import type { RetryStepOptions, ThrottleStepOptions } from "./buildMiddlewareChain.js";
import type { CreateGraphClientOptions } from "./CreateGraphClientOptions.js";
import type { GraphApiVersion } from "./SoftwareUpdateStatusSummaryRequestBuilder.js";

/** {@link CreateGraphClientOptions} checked and normalised. */
export interface ValidGraphClientOptions {
  /** The token provider. */
  readonly authProvider: AuthenticationProvider;
  /** The endpoint, or `undefined` for the official default. */
  readonly baseUrl: string | undefined;
  /** The default version, or `undefined` for the official default. */
  readonly defaultVersion: GraphApiVersion | undefined;
  /** Lower-cased, trimmed entries, as a `Set` (what the official client expects). */
  readonly customHosts: Set<string> | undefined;
  /** Options for every `fetch`. */
  readonly fetchOptions: FetchOptions | undefined;
  /** Retry step options, `false`, or `undefined` for the defaults. */
  readonly retry: RetryStepOptions | false | undefined;
  /** Throttle step options, `false`, or `undefined` for the defaults. */
  readonly throttle: ThrottleStepOptions | false | undefined;
}

/**
 * Checks the options of `createGraphClient` and normalises them.
 * @param options - The caller's options.
 * @throws {@link InvalidOptionsError} naming the option and how to fix it.
 */
export function validateGraphClientOptions(options: CreateGraphClientOptions): ValidGraphClientOptions {
  if (typeof options !== "object" || options === null) {
    throw new InvalidOptionsError("createGraphClient needs an options object with at least an authProvider");
  }
  const { authProvider, baseUrl, defaultVersion, fetchOptions, retry, throttle } = options;
  if (typeof authProvider !== "object" || authProvider === null || typeof authProvider.getAccessToken !== "function") {
    throw new InvalidOptionsError("authProvider is required: an object with a getAccessToken() method (the official AuthenticationProvider)");
  }
  if (defaultVersion !== undefined && defaultVersion !== "v1.0" && defaultVersion !== "beta") {
    throw new InvalidOptionsError(`defaultVersion must be "v1.0" or "beta", got ${JSON.stringify(String(defaultVersion))}`);
  }
  if (fetchOptions !== undefined && (typeof fetchOptions !== "object" || fetchOptions === null)) {
    throw new InvalidOptionsError("fetchOptions must be an object (RequestInit)");
  }
  // The handlers validate their own option values; here only the shape is checked.
  if (retry !== undefined && retry !== false && (typeof retry !== "object" || retry === null)) {
    throw new InvalidOptionsError("retry must be false, retry options, or a ResilientRetryHandler");
  }
  if (throttle !== undefined && throttle !== false && (typeof throttle !== "object" || throttle === null)) {
    throw new InvalidOptionsError("throttle must be false, throttle options, or a ThrottleHandler");
  }
  const customHosts = normaliseCustomHosts(options.customHosts);
  if (baseUrl !== undefined) checkBaseUrl(baseUrl, customHosts);
  return { authProvider, baseUrl, defaultVersion, customHosts, fetchOptions, retry, throttle };
}

function normaliseCustomHosts(customHosts: Iterable<string> | undefined): Set<string> | undefined {
  if (customHosts === undefined) return undefined;
  if (typeof customHosts === "string" || typeof (customHosts as Partial<Iterable<string>>)[Symbol.iterator] !== "function") {
    throw new InvalidOptionsError('customHosts must be an array or Set of host names, e.g. ["127.0.0.1"]');
  }
  const hosts = new Set<string>();
  for (const entry of customHosts) {
    if (typeof entry !== "string" || parseHostEntry(entry) === undefined) {
      throw new InvalidOptionsError(
        `customHosts entries must be host names or host:port, without scheme or path; got ${JSON.stringify(String(entry))}` +
          ' (for "http://example.com:3000/" use "example.com")',
      );
    }
    hosts.add(entry.trim().toLowerCase());
  }
  return hosts;
}

function checkBaseUrl(baseUrl: string, customHosts: Set<string> | undefined): void {
  if (typeof baseUrl !== "string") throw new InvalidOptionsError("baseUrl must be a string URL");
  const check = checkTokenDestination(baseUrl, customHosts);
  if (check.allowed) return;
  const host = check.url?.hostname ?? "";
  switch (check.reason) {
    case "invalid-url":
      throw new InvalidOptionsError(`baseUrl must be an absolute URL such as "https://graph.microsoft.com/", got ${JSON.stringify(baseUrl)}`);
    case "unsupported-scheme":
      throw new InvalidOptionsError(`baseUrl must use https: (or http: to a loopback host), got ${JSON.stringify(baseUrl)}`);
    case "unknown-host":
      throw new InvalidOptionsError(
        `baseUrl host "${host}" is neither a Microsoft Graph host nor in customHosts, so the access token would not be sent; ` +
          `add "${host}" to customHosts if you trust it`,
      );
    case "insecure-scheme":
      throw new InvalidOptionsError(
        `baseUrl uses plain http: to "${host}", which is not a loopback address; the token is never sent over plain HTTP, use https:`,
      );
  }
}
