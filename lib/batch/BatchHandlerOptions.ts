import { aLogger, type GraphLogger } from "../chain/logger.js";
import { aFunction, numberWhere } from "../chain/optionRules.js";
import type { BatchGiveUpListener, BatchRoundListener } from "./batchEvents.js";
import { optionSchema, resolveOptions, type ResolvedOptions } from "../chain/resolveOptions.js";
import { versionRelativeUrl } from "./batchTarget.js";
import type { BatchRequestItem } from "./batchTypes.js";

/** Options of the {@link BatchHandler}. */
export interface BatchHandlerOptions {
  /** Follow-up batches after the first, at most (each re-sends only what is retryable). @default 5 */
  readonly maxRetries?: number;
  /** Wait before re-sending gateway failures that carry no `Retry-After`, doubled per round, in ms (as the retry handler's `baseDelayMs`). @default 200 */
  readonly baseDelayMs?: number;
  /** The longest wait between rounds, in ms (a longer `Retry-After` ends the retries for those requests). @default 120000 */
  readonly maxRetryAfterMs?: number;
  /**
   * Vouches for sub-requests whose method is not idempotent (POST, PATCH), so a `502`/`503`/`504`
   * is re-sent too (IdempotentRequestOption semantics). GET, HEAD, PUT, DELETE and OPTIONS always are.
   * @default PATCHes to `softwareUpdateStatusSummary` (they set absolute values, like `update()`)
   */
  readonly isIdempotent?: (request: BatchRequestItem) => boolean;
  /** Called before the wait for each follow-up batch (as `BatchHandler.onRound`). @default none */
  readonly onRound?: BatchRoundListener;
  /** Called when retryable sub-requests are left with their last real status (as `BatchHandler.onGiveUp`). @default none */
  readonly onGiveUp?: BatchGiveUpListener;
  /** Logs rounds (`info`) and give-ups (`warn`). @default none (through `createGraphClient`: the client's `logger`) */
  readonly logger?: GraphLogger;
}

const SUMMARY_PATCH = /^\/?deviceManagement\/softwareUpdateStatusSummary\/?(?:\?|$)/i;

/** The default {@link BatchHandlerOptions.isIdempotent}: a PATCH of the summary sets absolute values. */
export function isSummaryPatch(request: BatchRequestItem): boolean {
  return request.method.toUpperCase() === "PATCH" && SUMMARY_PATCH.test(versionRelativeUrl(request.url));
}

/** How {@link BatchHandlerOptions} are checked and defaulted. */
export const BATCH_OPTIONS = optionSchema<BatchHandlerOptions>()({
  name: "BatchHandler options",
  defaults: { maxRetries: 5, baseDelayMs: 200, maxRetryAfterMs: 120_000, isIdempotent: isSummaryPatch },
  rules: {
    maxRetries: numberWhere((n) => Number.isInteger(n) && n >= 0 && n <= 100, "a whole number from 0 to 100"),
    baseDelayMs: numberWhere((n) => Number.isFinite(n) && n >= 0, "a finite number >= 0"),
    maxRetryAfterMs: numberWhere((n) => n >= 0, "a number >= 0 or Infinity"),
    isIdempotent: aFunction,
    onRound: aFunction,
    onGiveUp: aFunction,
    logger: aLogger,
  },
});

/** Every option, defaulted and checked. */
export type BatchSettings = ResolvedOptions<typeof BATCH_OPTIONS.rules, typeof BATCH_OPTIONS.defaults> & {
  readonly isIdempotent: (request: BatchRequestItem) => boolean;
  readonly onRound: BatchRoundListener | undefined;
  readonly onGiveUp: BatchGiveUpListener | undefined;
};

/**
 * Defaults and checks the options (through the shared `resolveOptions`).
 * @param options - The caller's options.
 * @throws InvalidOptionsError listing every problem.
 */
export function resolveBatchOptions(options: BatchHandlerOptions | undefined): BatchSettings {
  return resolveOptions(BATCH_OPTIONS, options) as BatchSettings;
}
