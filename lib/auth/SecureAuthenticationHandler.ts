import {
  AuthenticationHandlerOptions,
  FeatureUsageFlag,
  TelemetryHandlerOptions,
  type AuthenticationProvider,
  type Context,
  type Middleware,
  type MiddlewareOptions,
} from "@microsoft/microsoft-graph-client";
import { GraphRequestError } from "../errors/GraphRequestError.js";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { getRequestTrace } from "../chain/RequestTrace.js";
import { optionSchema, resolveOptions } from "../chain/resolveOptions.js";
import { checkTokenDestination } from "./checkTokenDestination.js";
import { customHostsOption } from "./customHostsOption.js";
import { removeRequestHeader, setRequestHeader } from "../chain/requestHeaders.js";

const AUTHORIZATION = "Authorization";

/** Options of {@link SecureAuthenticationHandler}. */
export interface SecureAuthenticationHandlerOptions {
  /**
   * Hosts besides the Graph hosts that may receive the token (`host` or `host:port`). They add to
   * the client's own `customHosts`, which arrive with each request.
   * @default none
   */
  readonly customHosts?: Iterable<string>;
}

const AUTH_OPTIONS = optionSchema<SecureAuthenticationHandlerOptions>()({
  name: "SecureAuthenticationHandler options",
  defaults: {},
  rules: { customHosts: customHostsOption },
});

/**
 * Attaches the bearer token, like the official `AuthenticationHandler` (same provider interface,
 * honours a per-request `AuthenticationHandlerOptions`, sets the telemetry feature flag), but
 * stricter about where it goes: only to a Graph host or a `customHosts` entry over `https:`, or
 * over `http:` to a loopback host. For every other URL any `Authorization` header is removed, so
 * a token never travels over plain HTTP off this machine.
 *
 * When the provider fails, the call fails with a {@link GraphRequestError} (code
 * `AuthenticationFailed`, status -1, the provider's error as `cause`), also stored in the
 * request's `RequestTrace`.
 */
export class SecureAuthenticationHandler implements Middleware {
  private nextMiddleware: Middleware | undefined;
  private readonly customHosts: readonly string[];

  /**
   * @param authenticationProvider - Gives the access token (the official provider interface).
   * @param options - Extra allowed hosts.
   * @throws InvalidOptionsError for a provider without `getAccessToken()`, or listing every invalid or unknown option.
   */
  constructor(
    private readonly authenticationProvider: AuthenticationProvider,
    options: SecureAuthenticationHandlerOptions = {},
  ) {
    if (authenticationProvider === null || typeof authenticationProvider?.getAccessToken !== "function") {
      throw new InvalidOptionsError("SecureAuthenticationHandler needs an authentication provider with a getAccessToken() method");
    }
    this.customHosts = [...(resolveOptions(AUTH_OPTIONS, options).customHosts ?? [])];
  }

  /**
   * Adds or strips the token, then runs the next middleware.
   * @param context - The request context.
   */
  async execute(context: Context): Promise<void> {
    const url = typeof context.request === "string" ? context.request : context.request.url;
    const hosts = context.customHosts === undefined ? this.customHosts : [...this.customHosts, ...context.customHosts];
    if (checkTokenDestination(url, hosts).allowed) {
      const token = await this.acquireToken(context);
      setRequestHeader(context, AUTHORIZATION, `Bearer ${token}`);
      flagFeatureUsage(context);
    } else {
      removeRequestHeader(context, AUTHORIZATION);
    }
    if (this.nextMiddleware === undefined) {
      throw new InvalidOptionsError("SecureAuthenticationHandler is the last middleware; add an HTTPMessageHandler after it");
    }
    await this.nextMiddleware.execute(context);
  }

  /**
   * Sets the middleware that runs after this one.
   * @param next - The next middleware.
   */
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }

  private async acquireToken(context: Context): Promise<string> {
    const override = getOption(context, AuthenticationHandlerOptions);
    const provider = override?.authenticationProvider ?? this.authenticationProvider;
    let token: unknown;
    try {
      token = await provider.getAccessToken(override?.authenticationProviderOptions);
    } catch (error) {
      throw fail(context, `Could not get an access token: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    if (typeof token !== "string" || token === "") {
      throw fail(context, "The authentication provider returned no access token", undefined);
    }
    return token;
  }
}

function fail(context: Context, message: string, cause: unknown): GraphRequestError {
  const error = new GraphRequestError(-1, message, { code: "AuthenticationFailed", cause });
  const trace = getRequestTrace(context);
  if (trace !== undefined) trace.error = error;
  return error;
}

function getOption<T extends MiddlewareOptions>(context: Context, type: abstract new (...args: never[]) => T): T | undefined {
  // Duck-typed: MiddlewareControl is not exported by the official package's entry point.
  const control = context.middlewareControl;
  if (control === undefined || typeof control.getMiddlewareOptions !== "function") return undefined;
  const option = control.getMiddlewareOptions(type);
  return option instanceof type ? option : undefined;
}

/** Sets the AUTHENTICATION_HANDLER_ENABLED bit the official TelemetryHandler reports in `SdkVersion`. */
function flagFeatureUsage(context: Context): void {
  const control = context.middlewareControl;
  if (control === undefined || typeof control.setMiddlewareOptions !== "function") return;
  let telemetry = getOption(context, TelemetryHandlerOptions);
  if (telemetry === undefined) {
    telemetry = new TelemetryHandlerOptions();
    control.setMiddlewareOptions(TelemetryHandlerOptions, telemetry);
  }
  // setFeatureUsage is private in the typings but public at run time; the static helper would
  // replace a control that is not the official class and drop the other options.
  const setter = (telemetry as unknown as { setFeatureUsage?: (flag: number) => void }).setFeatureUsage;
  if (typeof setter === "function") setter.call(telemetry, FeatureUsageFlag.AUTHENTICATION_HANDLER_ENABLED);
}
