import {
  AuthenticationHandlerOptions,
  FeatureUsageFlag,
  type AuthenticationProvider,
  type Context,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { AuthenticationError } from "../errors/AuthenticationError.js";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { getMiddlewareOption } from "../chain/middlewareOption.js";
import { redactSecrets } from "../chain/redactSecrets.js";
import { optionSchema, resolveOptions } from "../chain/resolveOptions.js";
import { customHostsOption } from "./customHostsOption.js";
import { removeRequestHeader, setRequestHeader } from "../chain/requestHeaders.js";
import { BoundedCache } from "../chain/BoundedCache.js";
import { checkAccessToken, type AccessTokenProblem } from "./checkAccessToken.js";
import { checkTokenDestination } from "./checkTokenDestination.js";
import { flagFeatureUsage } from "./flagFeatureUsage.js";
import { recordFailure } from "./recordFailure.js";

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
 * When the provider fails, or returns something that cannot be a bearer token (not a string,
 * empty, or with control characters, whitespace or non-ASCII in it), the call fails before
 * anything is sent with an {@link AuthenticationError} (code `AuthenticationFailed`, status -1,
 * `problem` naming what was wrong, the provider's error as `cause`), also stored in the
 * request's `RequestTrace`. Its message never contains the token.
 */
export class SecureAuthenticationHandler implements Middleware {
  private nextMiddleware: Middleware | undefined;
  private readonly customHosts: readonly string[];
  /** The check of the last token: a provider returns one token for many requests. */
  private readonly tokenChecks = new BoundedCache<AccessTokenProblem | undefined>(1, checkAccessToken);

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
      flagFeatureUsage(context, FeatureUsageFlag.AUTHENTICATION_HANDLER_ENABLED);
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
    const override = getMiddlewareOption(context, AuthenticationHandlerOptions);
    const provider = override?.authenticationProvider ?? this.authenticationProvider;
    let token: unknown;
    try {
      token = await provider.getAccessToken(override?.authenticationProviderOptions);
    } catch (error) {
      const reason = redactSecrets(error instanceof Error ? error.message : String(error));
      throw recordFailure(context, new AuthenticationError("provider-failed", `Could not get an access token: ${reason}`, { cause: error }));
    }
    const problem = typeof token === "string" ? this.tokenChecks.get(token) : checkAccessToken(token);
    if (problem !== undefined) throw recordFailure(context, new AuthenticationError(problem.problem, problem.message));
    return token as string;
  }
}
