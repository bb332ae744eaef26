import { RetryHandlerOptions, type Context } from "@microsoft/microsoft-graph-client";
import type { ResilientRetryOptions } from "./ResilientRetryOptions.js";

/**
 * The stock `shouldRetry` bound to one request: asked with the stock arguments for a status failure.
 * @param retriesSoFar - Retries already made (the stock handler's `retryAttempts`, 0 before the first retry).
 * @param response - The error response (its body unread).
 */
export type StockShouldRetry = (retriesSoFar: number, response: Response) => boolean;

/**
 * Maps the stock `RetryHandlerOptions` onto ours, keeping their meaning:
 * - `maxRetries` → `maxRetries` (the same count of retries after the first attempt);
 * - `delay` (seconds) → `baseDelayMs` (`delay * 1000`): the stock handler waits `delay` seconds
 *   plus an exponential term when the server sent no `Retry-After`, so `delay` is the shortest
 *   wait, which is what our `baseDelayMs` is; `maxDelayMs` is raised to it if it was lower (the
 *   stock handler allows up to 180 s). `Retry-After` wins in both handlers.
 * - `shouldRetry` is not mapped here: see {@link stockShouldRetry}.
 * @param stock - The stock options.
 * @param base - The options they apply to (for `maxDelayMs`).
 */
export function stockRetryOverrides(stock: RetryHandlerOptions, base: Readonly<ResilientRetryOptions>): Partial<ResilientRetryOptions> {
  const baseDelayMs = stock.delay * 1000;
  return { maxRetries: stock.maxRetries, baseDelayMs, maxDelayMs: Math.max(base.maxDelayMs, baseDelayMs) };
}

/**
 * Binds the stock `shouldRetry(delay, attempt, request, options, response)` to a request, called
 * exactly as the stock `RetryHandler` calls it: with the configured `delay` in seconds (not the
 * computed wait), the retries made so far, the request, its fetch options and the response.
 * Only `false` vetoes (the stock default answers `true`).
 * @param stock - The stock options.
 * @param context - The middleware context.
 */
export function stockShouldRetry(stock: RetryHandlerOptions, context: Context): StockShouldRetry {
  return (retriesSoFar, response) => stock.shouldRetry(stock.delay, retriesSoFar, context.request, context.options, response) !== false;
}

/**
 * Whether a value is the stock `RetryHandlerOptions` (duck-typed too: another copy of the official package).
 * @param value - Anything.
 */
export function isStockRetryOptions(value: unknown): value is RetryHandlerOptions {
  if (value instanceof RetryHandlerOptions) return true;
  const candidate = value as Partial<RetryHandlerOptions> | null;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate.delay === "number" &&
    typeof candidate.maxRetries === "number" &&
    typeof candidate.shouldRetry === "function" &&
    typeof candidate.getMaxDelay === "function"
  );
}
