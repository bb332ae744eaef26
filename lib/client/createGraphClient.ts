import { Client, type ClientOptions } from "@microsoft/microsoft-graph-client";
import { buildMiddlewareChain } from "./buildMiddlewareChain.js";
import type { CreateGraphClientOptions, GraphClient, StockRetryGraphClientOptions } from "./CreateGraphClientOptions.js";
import { extendClient } from "./extendClient.js";
import { rememberAuthProvider } from "./orderedWrites.js";
import { validateGraphClientOptions } from "./validateGraphClientOptions.js";

/**
 * Creates an official Microsoft Graph `Client` with this package's middleware chain and
 * `softwareUpdateStatusSummary()` added to that instance. `client.api(...)` works as usual.
 * @param options - Provider, endpoint, hosts, fetch options and middleware settings.
 * @throws {@link InvalidOptionsError} for a missing provider, a bad version, or a `baseUrl`
 *   that would never receive the token.
 */
export function createGraphClient(options: CreateGraphClientOptions): GraphClient;
/**
 * Creates the client with the stock `RetryHandlerOptions` as its retry step (see the README's mapping table).
 * @param options - As above, with `retry: new RetryHandlerOptions(...)`.
 * @throws {@link InvalidOptionsError} for invalid options.
 */
export function createGraphClient(options: StockRetryGraphClientOptions): GraphClient;
export function createGraphClient(options: CreateGraphClientOptions | StockRetryGraphClientOptions): GraphClient {
  const valid = validateGraphClientOptions(options);
  const middleware = buildMiddlewareChain({
    authProvider: valid.authProvider,
    customHosts: valid.customHosts,
    retry: valid.retry,
    throttle: valid.throttle,
    batch: valid.batch,
    middleware: valid.middleware,
    logger: valid.logger,
    breaker: valid.breaker,
  });
  // Only defined keys: the official Client copies every own key, so `baseUrl: undefined` would
  // replace its default.
  const clientOptions: ClientOptions = { middleware };
  if (valid.baseUrl !== undefined) clientOptions.baseUrl = valid.baseUrl;
  if (valid.defaultVersion !== undefined) clientOptions.defaultVersion = valid.defaultVersion;
  if (valid.customHosts !== undefined) clientOptions.customHosts = valid.customHosts;
  if (valid.fetchOptions !== undefined) clientOptions.fetchOptions = valid.fetchOptions;
  const client = Client.initWithMiddleware(clientOptions);
  rememberAuthProvider(client, valid.authProvider);
  return extendClient(client);
}
