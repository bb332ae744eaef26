import { RetryHandlerOptions, type Context, type Middleware } from "@microsoft/microsoft-graph-client";
import { executeWithRetry, type RetryRun } from "./executeWithRetry.js";
import { createListenerSet } from "../chain/listenerSet.js";
import { getMiddlewareOption } from "../chain/middlewareOption.js";
import { getRequestTrace } from "../chain/RequestTrace.js";
import type { ResilientRetryOptions } from "./ResilientRetryOptions.js";
import { resolveRetryOptions } from "./resolveRetryOptions.js";
import type { Disposable, GiveUpListener, RetryListener } from "./retryEvents.js";
import { ResilientRetryHandlerOptions } from "./ResilientRetryHandlerOptions.js";
import { isStockRetryOptions, stockRetryOverrides, stockShouldRetry } from "./stockRetryOptions.js";

/**
 * A retry middleware for the official Graph client that replaces the stock `RetryHandler`.
 *
 * It retries 429 and 503 for any method and, when a repeat is safe, 502, 504 (the statuses are
 * configurable), network failures and attempt timeouts; honours fractional and HTTP-date `Retry-After` without jitter and fails
 * fast with `RetryAfterTooLongError` instead of clipping; backs off with decorrelated jitter;
 * bounds every call by `maxRetries`, `attemptTimeoutMs` and `deadlineMs`; follows the caller's
 * `AbortSignal` in attempts and waits; keeps one `client-request-id` per logical call; and
 * reports through `onRetry` / `onGiveUp` events and the `RequestTrace`. Place it after the
 * `AuthenticationHandler` and before a throttle handler and the `HTTPMessageHandler`.
 *
 * @example
 * ```ts
 * const retry = new ResilientRetryHandler({ maxRetries: 8 });
 * retry.onRetry(({ attempt, delayMs, status }) => console.log(attempt, delayMs, status));
 * const client = Client.initWithMiddleware({
 *   middleware: [new AuthenticationHandler(provider), retry, new HTTPMessageHandler()],
 * });
 * ```
 */
export class ResilientRetryHandler implements Middleware {
  /** The handler's options for every request, defaults included. */
  readonly options: Readonly<ResilientRetryOptions>;
  private nextMiddleware: Middleware | undefined;
  /** The stock options this handler was built with, for their `shouldRetry`. */
  private readonly stock: RetryHandlerOptions | undefined;
  private readonly retryListeners = createListenerSet<Parameters<RetryListener>[0]>();
  private readonly giveUpListeners = createListenerSet<Parameters<GiveUpListener>[0]>();

  /**
   * @param options - Overrides of {@link DEFAULT_RETRY_OPTIONS}.
   * @throws InvalidOptionsError - When an option is invalid or unknown.
   */
  constructor(options?: Partial<ResilientRetryOptions>);
  /**
   * @param options - The stock `RetryHandlerOptions`, mapped as the README's table says: `maxRetries`,
   *   `delay` → `baseDelayMs`, `shouldRetry` asked with the stock arguments.
   * @throws InvalidOptionsError - When an option is invalid.
   */
  constructor(options: RetryHandlerOptions);
  constructor(options: Partial<ResilientRetryOptions> | RetryHandlerOptions = {}) {
    if (isStockRetryOptions(options)) {
      this.stock = options;
      this.options = resolveRetryOptions(undefined, stockRetryOverrides(options, resolveRetryOptions()));
    } else {
      this.options = resolveRetryOptions(undefined, options);
    }
  }

  /**
   * Adds a listener called before each wait, once the delay is known.
   * @param listener - Receives the retry event (never a token or headers).
   * @returns A disposable that removes the listener.
   */
  onRetry(listener: RetryListener): Disposable {
    return this.retryListeners.add(listener);
  }

  /**
   * Adds a listener called when the handler stops retrying a failure.
   * @param listener - Receives the give-up event (never a token or headers).
   * @returns A disposable that removes the listener.
   */
  onGiveUp(listener: GiveUpListener): Disposable {
    return this.giveUpListeners.add(listener);
  }

  /**
   * Sends the request with retries; see the class description.
   * @param context - The middleware context.
   */
  execute(context: Context): Promise<void> {
    // Not async: the call's own frame (executeWithRetry) is the only one; a bad option still
    // comes back as a rejection, as from any middleware.
    try {
      return executeWithRetry(context, this.runFor(context));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The next middleware, the options that apply to this request, and the listeners. */
  private runFor(context: Context): RetryRun {
    const next = this.nextMiddleware;
    if (next === undefined) throw new Error("ResilientRetryHandler needs a next middleware (e.g. HTTPMessageHandler)");
    // The stock per-request option first, ours last: the more specific one wins a field both set.
    const stockPerRequest = getMiddlewareOption(context, RetryHandlerOptions);
    const perRequest = getMiddlewareOption(context, ResilientRetryHandlerOptions);
    let options = this.options;
    if (stockPerRequest !== undefined) options = checkedStockOptions(context, options, stockPerRequest);
    if (perRequest !== undefined) options = resolveRetryOptions(options, perRequest.overrides);
    const stock = stockPerRequest ?? this.stock;
    return {
      next,
      options,
      stockShouldRetry: stock === undefined ? undefined : stockShouldRetry(stock, context),
      retryListeners: this.retryListeners,
      giveUpListeners: this.giveUpListeners,
    };
  }

  /**
   * Sets the next middleware in the chain.
   * @param next - The middleware below this one.
   */
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }
}

/**
 * Applies a per-request `RetryHandlerOptions`. Its constructor checks its values, but its fields
 * are writable: a value changed since is rejected here, and recorded in the trace, since the
 * official `GraphRequest` flattens the error.
 */
function checkedStockOptions(context: Context, options: Readonly<ResilientRetryOptions>, stock: RetryHandlerOptions): Readonly<ResilientRetryOptions> {
  try {
    return resolveRetryOptions(options, stockRetryOverrides(stock, options));
  } catch (error) {
    const trace = getRequestTrace(context);
    if (trace !== undefined) trace.error = error;
    throw error;
  }
}
