import type { AuthenticationProvider, FetchOptions, RetryHandlerOptions } from "@microsoft/microsoft-graph-client";
import { checkTokenDestination } from "../auth/checkTokenDestination.js";
import { customHostsOption } from "../auth/customHostsOption.js";
import { aLogger, type GraphLogger } from "../chain/logger.js";
import { arrayOf, oneOf, valueWhere } from "../chain/optionRules.js";
import { isStockRetryOptions } from "../retry/stockRetryOptions.js";
import { nestedOptions, optionSchema, resolveOptions, type OptionRule } from "../chain/resolveOptions.js";
import { RETRY_OPTIONS } from "../retry/resolveRetryOptions.js";
import { THROTTLE_OPTIONS } from "../throttle/ThrottleHandlerOptions.js";
import { BATCH_OPTIONS } from "../batch/BatchHandlerOptions.js";
import { BREAKER_OPTIONS } from "../breaker/CircuitBreakerOptions.js";
import type { BatchStepOptions, BreakerStepOptions, MiddlewarePositions, RetryStepOptions, ThrottleStepOptions } from "./buildMiddlewareChain.js";
import type { CreateGraphClientOptions, StockRetryGraphClientOptions } from "./CreateGraphClientOptions.js";
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
  /** Retry step options, the stock ones, `false`, or `undefined` for the defaults. */
  readonly retry: RetryStepOptions | RetryHandlerOptions | false | undefined;
  /** Throttle step options, `false`, or `undefined` for the defaults. */
  readonly throttle: ThrottleStepOptions | false | undefined;
  /** Batch step options, `false`, or `undefined` for the defaults. */
  readonly batch: BatchStepOptions | false | undefined;
  /** Your middleware by position. */
  readonly middleware: MiddlewarePositions | undefined;
  /** The logger. */
  readonly logger: GraphLogger | undefined;
  /** Breaker step options, a handler, `false`, or `undefined` (none). */
  readonly breaker: BreakerStepOptions | false | undefined;
}

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null;

/**
 * A handler step: `false`, a handler you built (any middleware), or options checked with the
 * handler's own schema, so their problems join this error (`retry.maxRetries`).
 * @param checkOptions - The rule of the handler's options.
 * @param what - Names the step in the message.
 */
function stepOption<T>(checkOptions: OptionRule, what: string): OptionRule<T | false> {
  return (value, path, report) => {
    if (value === false) return false;
    if (!isObject(value)) {
      report(path, `must be false, ${what} options, or a ${what} handler, got ${typeof value}`);
    } else if (typeof (value as { execute?: unknown }).execute !== "function" && !(what === "retry" && isStockRetryOptions(value))) {
      checkOptions(value, path, report);
    }
    return value as T;
  };
}

const aMiddleware = valueWhere(
  (value) => isObject(value) && typeof (value as { execute?: unknown }).execute === "function" && typeof (value as { setNext?: unknown }).setNext === "function",
  "a middleware (an object with execute(context) and setNext(next))",
);
const middlewareList = arrayOf(aMiddleware, "an array of middleware");

const MIDDLEWARE_POSITIONS = optionSchema<MiddlewarePositions>()({
  name: "middleware positions",
  defaults: {},
  rules: { beforeAuth: middlewareList, beforeRetry: middlewareList, beforeThrottle: middlewareList, beforeTransport: middlewareList },
});

const CLIENT_OPTIONS = optionSchema<CreateGraphClientOptions>()({
  name: "createGraphClient options",
  defaults: {},
  required: ["authProvider"],
  rules: {
    authProvider: valueWhere<AuthenticationProvider>(
      (value) => isObject(value) && typeof (value as Partial<AuthenticationProvider>).getAccessToken === "function",
      "an object with a getAccessToken() method (the official AuthenticationProvider)",
    ),
    baseUrl: valueWhere<string>((value) => typeof value === "string", "a string URL"),
    defaultVersion: oneOf(["v1.0", "beta"]),
    customHosts: customHostsOption,
    fetchOptions: valueWhere<FetchOptions>(isObject, "an object (RequestInit)"),
    retry: stepOption<RetryStepOptions | RetryHandlerOptions>(nestedOptions(RETRY_OPTIONS), "retry"),
    throttle: stepOption<ThrottleStepOptions>(nestedOptions(THROTTLE_OPTIONS), "throttle"),
    batch: stepOption<BatchStepOptions>(nestedOptions(BATCH_OPTIONS), "batch"),
    middleware: nestedOptions(MIDDLEWARE_POSITIONS),
    logger: aLogger,
    breaker: stepOption<BreakerStepOptions>(nestedOptions(BREAKER_OPTIONS), "breaker"),
  },
  refine: ({ baseUrl, customHosts }, report) => {
    if (typeof baseUrl !== "string" || !(customHosts === undefined || customHosts instanceof Set)) return;
    const problem = baseUrlProblem(baseUrl, customHosts);
    if (problem !== undefined) report("baseUrl", problem);
  },
});

/**
 * Checks the options of `createGraphClient` and normalises them (through the shared `resolveOptions`,
 * with the retry and throttle options checked by their own schemas).
 * @param options - The caller's options.
 * @throws {@link InvalidOptionsError} listing every problem, each naming its option and how to fix it.
 */
export function validateGraphClientOptions(options: CreateGraphClientOptions | StockRetryGraphClientOptions): ValidGraphClientOptions {
  const valid = resolveOptions(CLIENT_OPTIONS, options);
  return {
    authProvider: valid.authProvider as AuthenticationProvider,
    baseUrl: valid.baseUrl,
    defaultVersion: valid.defaultVersion,
    customHosts: valid.customHosts,
    fetchOptions: valid.fetchOptions,
    retry: valid.retry,
    throttle: valid.throttle,
    batch: valid.batch,
    middleware: valid.middleware as MiddlewarePositions | undefined,
    logger: valid.logger,
    breaker: valid.breaker,
  };
}

function baseUrlProblem(baseUrl: string, customHosts: Set<string> | undefined): string | undefined {
  const check = checkTokenDestination(baseUrl, customHosts);
  if (check.allowed) return undefined;
  const host = check.origin?.hostname ?? "";
  switch (check.reason) {
    case "invalid-url":
      return `must be an absolute URL such as "https://graph.microsoft.com/", got ${JSON.stringify(baseUrl)}`;
    case "unsupported-scheme":
      return `must use https: (or http: to a loopback host), got ${JSON.stringify(baseUrl)}`;
    case "unknown-host":
      return (
        `host "${host}" is neither a Microsoft Graph host nor in customHosts, so the access token would not be sent; ` +
        `add "${host}" to customHosts if you trust it`
      );
    case "insecure-scheme":
      return `uses plain http: to "${host}", which is not a loopback address; the token is never sent over plain HTTP, use https:`;
  }
}
