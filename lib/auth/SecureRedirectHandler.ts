import { isLogger, log, type GraphLogger } from "../chain/logger.js";
import { redactSecrets } from "../chain/redactSecrets.js";
import {
  FeatureUsageFlag,
  RedirectHandlerOptions,
  type Context,
  type FetchOptions,
  type Middleware,
} from "@microsoft/microsoft-graph-client";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { RedirectRefusedError, type RedirectRefusalReason } from "../errors/RedirectRefusedError.js";
import { getMiddlewareOption } from "../chain/middlewareOption.js";
import { redactUrl } from "../chain/redactUrl.js";
import { copyHeaders, getRequestHeader, removeRequestHeader } from "../chain/requestHeaders.js";
import { isReplayableRequest } from "../chain/requestSafety.js";
import { flagFeatureUsage } from "./flagFeatureUsage.js";
import { planRedirectHop, REDIRECT_STATUSES, type RedirectPlan } from "./planRedirectHop.js";
import { recordFailure } from "./recordFailure.js";
import { resolveRedirectOptions, type ResolvedRedirectOptions, type SecureRedirectHandlerOptions } from "./SecureRedirectHandlerOptions.js";

/** Headers that carry credentials for the origin they were meant for. */
const CREDENTIAL_HEADERS = ["Authorization", "Cookie"];
/** Headers that describe a body, dropped with it when a 303 turns a read into a GET. */
const BODY_HEADERS = ["Content-Type", "Content-Length", "Content-Encoding", "Content-Language", "Content-Location"];

/**
 * Follows redirects in place of the official `RedirectHandler`, with the token rules of
 * {@link SecureAuthenticationHandler} applied to every hop:
 * - `Location` is resolved with the WHATWG URL parser against the redirected request's URL
 *   (relative values work; `http:/evil/x` is read as the absolute URL it is);
 * - `Authorization` (and `Cookie`) stay only on the same origin (scheme, host, port) and only
 *   where `checkTokenDestination` allows the token, the check the first request passed;
 * - a redirect from `https:` to `http:` is refused;
 * - a write (any method but GET, HEAD, OPTIONS) is never turned into a GET and never leaves its
 *   origin: a 303, or a redirect to another origin, answering a write is refused. Same-origin
 *   301, 302, 307 and 308 re-send the same method and body;
 * - at most `maxRedirects` hops (default 5).
 * A refusal is a {@link RedirectRefusedError} (also stored in the `RequestTrace`); nothing is
 * sent to the refused location.
 *
 * A per-request official `RedirectHandlerOptions` keeps its meaning: `maxRedirects` and
 * `shouldRedirect` replace the handler's (with 0 or `false` the redirect response is handed back).
 *
 * Every request is sent with `redirect: "manual"`. Node (undici), Deno and Bun then show the 3xx
 * and its `Location`. Browsers hide both (an `opaqueredirect` response), so the rules cannot be
 * applied there: a read is sent once more with `redirect: "follow"`, and the browser follows it
 * under the Fetch standard's own rules (which drop `Authorization` across origins and block
 * `https:` to `http:`); a write is refused (`hidden-redirect`) instead of being turned into a GET.
 */
export class SecureRedirectHandler implements Middleware {
  private nextMiddleware: Middleware | undefined;
  private readonly options: ResolvedRedirectOptions;
  private readonly logger: GraphLogger | undefined;
  private readonly customHosts: readonly string[];

  /**
   * @param options - Hop limit, veto callback and extra token hosts.
   * @throws InvalidOptionsError - For a bad `maxRedirects` or `shouldRedirect`.
   */
  constructor(options: SecureRedirectHandlerOptions = {}) {
    if (options === null || typeof options !== "object") throw new InvalidOptionsError("SecureRedirectHandler options must be an object");
    this.options = resolveRedirectOptions(options, "SecureRedirectHandler options");
    this.customHosts = [...(options.customHosts ?? [])];
    if (options.logger !== undefined && !isLogger(options.logger)) throw new InvalidOptionsError("SecureRedirectHandler options: logger must be an object with debug/info/warn/error methods (e.g. console)");
    this.logger = options.logger;
  }

  /**
   * Sends the request, then follows or refuses each redirect; leaves the final response in
   * `context.response`. The caller's context keeps its request and options.
   * @param context - The request context.
   */
  async execute(context: Context): Promise<void> {
    const next = this.nextMiddleware;
    if (next === undefined) throw new InvalidOptionsError("SecureRedirectHandler is the last middleware; add an HTTPMessageHandler after it");
    const options = this.optionsFor(context);
    flagFeatureUsage(context, FeatureUsageFlag.REDIRECT_HANDLER_ENABLED);

    // Worked out at the first redirect only: nearly every answer is none, and the client's hosts come with every request.
    let hosts: readonly string[] | undefined;
    let hop: Context = { ...context, options: withOptions(context.options, { redirect: "manual" }), response: undefined };
    for (let followed = 0; ; followed++) {
      await next.execute(hop);
      const response = hop.response;
      context.response = response;
      if (response === undefined) return;
      if (response.type === "opaqueredirect") return this.hiddenRedirect(context, hop, next);
      // The status first: nearly every answer is no redirect, and a header lookup costs more.
      if (!REDIRECT_STATUSES.has(response.status)) return;
      const location = response.headers.get("location");
      if (location === null || !options.shouldRedirect(response)) return;
      if (followed >= options.maxRedirects) {
        if (options.maxRedirects === 0) return;
        throw this.refuse(context, hop, response, "too-many-redirects", undefined, options.maxRedirects);
      }
      hosts ??= context.customHosts === undefined ? this.customHosts : [...this.customHosts, ...context.customHosts];
      const plan = planRedirectHop({ method: methodOf(hop), from: new URL(urlOf(hop)), status: response.status, location, customHosts: hosts });
      if (!plan.follow) throw this.refuse(context, hop, response, plan.reason, plan.url);
      if (plan.keepBody && !isReplayableRequest(hop.request, hop.options?.body)) {
        throw this.refuse(context, hop, response, "body-not-replayable", plan.url);
      }
      discard(response);
      hop = nextHop(hop, plan);
    }
  }

  /**
   * Sets the middleware that runs after this one.
   * @param next - The next middleware.
   */
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }

  private optionsFor(context: Context): ResolvedRedirectOptions {
    const perRequest = getMiddlewareOption(context, RedirectHandlerOptions);
    if (perRequest === undefined) return this.options;
    try {
      return resolveRedirectOptions(perRequest, "RedirectHandlerOptions");
    } catch (error) {
      throw recordFailure(context, error);
    }
  }

  /** A browser answered `opaqueredirect`: where it points is hidden. */
  private async hiddenRedirect(context: Context, hop: Context, next: Middleware): Promise<void> {
    const response = context.response as Response;
    const method = methodOf(hop);
    if (method !== "GET" && method !== "HEAD") throw this.refuse(context, hop, response, "hidden-redirect", undefined);
    const again: Context = { ...hop, options: withOptions(hop.options, { redirect: "follow" }), response: undefined };
    await next.execute(again);
    context.response = again.response;
  }

  private refuse(
    context: Context,
    hop: Context,
    response: Response,
    reason: RedirectRefusalReason,
    to: URL | undefined,
    maxRedirects?: number,
  ): RedirectRefusedError {
    discard(response);
    const method = methodOf(hop);
    const from = redactUrl(urlOf(hop));
    const target = to === undefined ? null : redactUrl(to.href);
    const status = response.status;
    const prefix = `Refused the ${status === 0 ? "hidden" : status} redirect of ${method} ${from}${target === null ? "" : ` to ${target}`}`;
    const clientRequestId = getRequestHeader(hop, "client-request-id");
    const error = new RedirectRefusedError(reason, status, `${prefix}: ${explain(reason, maxRedirects)}`, { from, to: target }, {
      requestId: response.headers.get("request-id"),
      clientRequestId,
    });
    log(this.logger, "warn", redactSecrets(error.message), { reason, status, clientRequestId });
    return recordFailure(context, error);
  }
}

function explain(reason: RedirectRefusalReason, maxRedirects: number | undefined): string {
  switch (reason) {
    case "write-see-other":
      return "a write is never re-sent as a GET; it was not repeated, and whether the server applied it is unknown";
    case "write-cross-origin":
      return "a write never follows a redirect to another origin; nothing was sent there";
    case "body-not-replayable":
      return "the request body is a one-shot stream and cannot be sent again";
    case "downgrade":
      return "a redirect from https to http is never followed";
    case "invalid-location":
      return "the Location is not a valid http or https URL";
    case "too-many-redirects":
      return `more than ${String(maxRedirects)} redirects in a row`;
    case "hidden-redirect":
      return "the runtime hides where the redirect points (a browser's opaque redirect), and a write is not followed blindly";
  }
}

/** The next hop: new URL and method, credentials and body kept or dropped as planned. */
function nextHop(hop: Context, plan: Extract<RedirectPlan, { follow: true }>): Context {
  const options = withOptions(hop.options, { method: plan.method });
  if (!plan.keepBody) delete options.body;
  const request = isRequestObject(hop.request)
    ? new Request(plan.url.href, { method: plan.method, headers: hop.request.headers, signal: hop.request.signal, redirect: "manual" })
    : plan.url.href;
  const next: Context = { ...hop, request, options, response: undefined };
  if (!plan.keepAuthorization) for (const name of CREDENTIAL_HEADERS) removeRequestHeader(next, name);
  if (!plan.keepBody) for (const name of BODY_HEADERS) removeRequestHeader(next, name);
  return next;
}

/** A copy of the fetch options with its own headers, so a hop never changes the caller's. */
function withOptions(options: FetchOptions | undefined, changes: FetchOptions): FetchOptions {
  const copy: FetchOptions = { ...options, ...changes };
  const headers = copyHeaders(options?.headers);
  if (headers !== undefined) copy.headers = headers;
  return copy;
}

function isRequestObject(request: RequestInfo): request is Request {
  return typeof Request !== "undefined" && request instanceof Request;
}

function urlOf(context: Context): string {
  return typeof context.request === "string" ? context.request : context.request.url;
}

function methodOf(context: Context): string {
  return (isRequestObject(context.request) ? context.request.method : (context.options?.method ?? "GET")).toUpperCase();
}

/** Frees a redirect response that will not be read, so its socket returns to the pool. */
function discard(response: Response): void {
  if (response.body === null || response.bodyUsed) return;
  void response.body.cancel().catch(() => undefined);
}
