import { ChaosHandlerOptions, RetryHandlerOptions, type Context, type Middleware } from "@microsoft/microsoft-graph-client";
import { getMiddlewareOption } from "../chain/middlewareOption.js";
import { getRequestTrace } from "../chain/RequestTrace.js";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";

/** Which stock per-request options this chain can honour. */
export interface HonouredStockOptions {
  /** A retry step is in the chain (`RetryHandlerOptions` asking for retries need one). */
  readonly retry: boolean;
  /** A `ChaosHandler` is among the user's middleware (`ChaosHandlerOptions` need one). */
  readonly chaos: boolean;
}

/**
 * The first step of `createGraphClient`'s chain: fails a call at once with `InvalidOptionsError`
 * when it carries a stock per-request option that nothing in this chain would honour, instead of
 * silently ignoring it. `RedirectHandlerOptions`, `AuthenticationHandlerOptions` and
 * `TelemetryHandlerOptions` are always honoured (by `SecureRedirectHandler`,
 * `SecureAuthenticationHandler` and the official `TelemetryHandler`); `RetryHandlerOptions` by
 * the retry step (without one, only a "do not retry" `maxRetries: 0` is honoured, trivially);
 * `ChaosHandlerOptions` only by a `ChaosHandler` you add through `middleware`.
 */
export class UnhonouredOptionsHandler implements Middleware {
  private nextMiddleware: Middleware | undefined;

  /** @param honoured - What the chain can honour. */
  constructor(private readonly honoured: HonouredStockOptions) {}

  /**
   * Checks the request's options, then passes it on.
   * @param context - The middleware context.
   */
  execute(context: Context): Promise<void> {
    const problem = this.problem(context);
    if (problem !== undefined) {
      const error = new InvalidOptionsError(problem);
      const trace = getRequestTrace(context);
      if (trace !== undefined) trace.error = error;
      return Promise.reject(error);
    }
    // Not async: a pass-through step hands on the next step's promise, so every call saves a promise and its turns.
    return (this.nextMiddleware as Middleware).execute(context);
  }

  /**
   * Sets the next middleware in the chain.
   * @param next - The next middleware.
   */
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }

  private problem(context: Context): string | undefined {
    if (!this.honoured.chaos && getMiddlewareOption(context, ChaosHandlerOptions) !== undefined) {
      return "ChaosHandlerOptions were passed to a request, but this client's chain has no ChaosHandler to honour them; add one with createGraphClient({ middleware: { beforeTransport: [new ChaosHandler()] } })";
    }
    const retry = this.honoured.retry ? undefined : getMiddlewareOption(context, RetryHandlerOptions);
    if (retry !== undefined && retry.maxRetries > 0) {
      return `RetryHandlerOptions (maxRetries: ${retry.maxRetries}) were passed to a request, but this client was created with retry: false, so nothing would retry it; remove retry: false or the option`;
    }
    return undefined;
  }
}
