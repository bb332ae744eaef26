import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { abortableDelay } from "../chain/abortableDelay.js";
import { suspendAttemptClock } from "../chain/attemptClock.js";
import { getMiddlewareOption } from "../chain/middlewareOption.js";
import { IdempotentRequestOption } from "../chain/IdempotentRequestOption.js";
import { readWaitLimit } from "../chain/waitLimit.js";
import { isBatchRequest } from "./batchTarget.js";
import type { BatchRequestItem, BatchResponseItem } from "./batchTypes.js";
import { resolveBatchOptions, type BatchHandlerOptions, type BatchSettings } from "./BatchHandlerOptions.js";
import { withDependents } from "./dependencies.js";
import { parseBatchRequests, parseBatchResponses, subResponseRetryAfter } from "./parseBatch.js";
import { followUpRequests, isRetryableSubResponse, refusalAnswers, withAttempts } from "./subResponses.js";
import { validateBatch } from "./validateBatch.js";
import { createListenerSet } from "../chain/listenerSet.js";
import { getRequestHeader } from "../chain/requestHeaders.js";
import type { Disposable } from "../retry/retryEvents.js";
import {
  logBatchGiveUp,
  logBatchRound,
  type BatchGiveUpEvent,
  type BatchGiveUpListener,
  type BatchGiveUpReason,
  type BatchRoundEvent,
  type BatchRoundListener,
} from "./batchEvents.js";

/**
 * Makes a JSON batch (`POST /$batch`) survive throttling. Graph judges every request inside a
 * batch on its own: a `200 OK` batch may hold `429`s (with their own `Retry-After`), `503`s and
 * `504`s. This handler checks the batch before sending (a `ValidationError` listing every
 * problem), then re-sends what is retryable in follow-up batches after the wait the server asked
 * for: a `429` always; a `502`/`503`/`504` only for idempotent methods, requests marked with
 * `IdempotentRequestOption`, or those `isIdempotent` vouches for. A request depending on one that
 * is re-sent goes with it. The caller gets ONE batch response, in the original order with the
 * original ids; each sub-response carries an `x-attempts` header. What still failed keeps its last
 * real status and body. Each follow-up is reported before its wait (`onRound`: round, requests
 * re-sent, delay, the statuses behind it), and retryable requests left as they are (`onGiveUp`:
 * `max-retries`, `retry-after-too-long`, or `deadline`, when the wait would end past the call's
 * deadline); both are logged when there is a `logger`.
 *
 * Place it between the retry handler (which re-sends a batch refused as a whole) and the
 * throttle handler (which counts each sub-request against its own route's budget and starts the
 * shared cooldown on a sub-request `429`): auth → retry → batch → throttle → … → HTTPMessageHandler.
 * Other requests pass through untouched.
 */
export class BatchHandler implements Middleware {
  private nextMiddleware: Middleware | undefined;
  private readonly settings: BatchSettings;
  private readonly roundListeners = createListenerSet<BatchRoundEvent>();
  private readonly giveUpListeners = createListenerSet<BatchGiveUpEvent>();
  private readonly logRound: BatchRoundListener | undefined;
  private readonly logGiveUp: BatchGiveUpListener | undefined;

  /**
   * @param options - See {@link BatchHandlerOptions}.
   * @throws InvalidOptionsError when an option is out of range.
   */
  constructor(options: BatchHandlerOptions = {}) {
    this.settings = resolveBatchOptions(options);
    const logger = this.settings.logger;
    this.logRound = logger === undefined ? undefined : (event) => logBatchRound(logger, event);
    this.logGiveUp = logger === undefined ? undefined : (event) => logBatchGiveUp(logger, event);
  }

  /**
   * Adds a listener called before the wait for each follow-up batch, once the delay is known.
   * @param listener - Receives the round event (never a token, header or body).
   * @returns A disposable that removes the listener.
   */
  onRound(listener: BatchRoundListener): Disposable {
    return this.roundListeners.add(listener);
  }

  /**
   * Adds a listener called when retryable sub-requests are left with their last real status.
   * @param listener - Receives the give-up event (never a token, header or body).
   * @returns A disposable that removes the listener.
   */
  onGiveUp(listener: BatchGiveUpListener): Disposable {
    return this.giveUpListeners.add(listener);
  }

  /**
   * Sets the next middleware in the chain.
   * @param next - The next middleware.
   */
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }

  /**
   * Sends a batch in rounds until nothing retryable is left; other requests pass through.
   * @param context - The middleware context.
   * @throws ValidationError when the batch is malformed (nothing is sent).
   */
  execute(context: Context): Promise<void> {
    const next = this.nextMiddleware;
    if (next === undefined) return Promise.reject(new Error("BatchHandler needs a next middleware (end the chain with HTTPMessageHandler)"));
    const items = readBatch(context);
    // Not async: any other request is handed on with the next step's own promise.
    if (items === undefined) return next.execute(context);
    return this.executeBatch(context, next, items);
  }

  private async executeBatch(context: Context, next: Middleware, items: readonly BatchRequestItem[]): Promise<void> {
    validateBatch(items);
    const vouched = getMiddlewareOption(context, IdempotentRequestOption)?.idempotent === true;
    const isIdempotent = vouched ? () => true : this.settings.isIdempotent;
    const original = context.options;
    const attempts = new Map<string, number>();
    const last = new Map<string, BatchResponseItem>();
    let pending = items;
    // The last batch answer (200): its headers go on the merged response, a refusal's do not.
    let answered: Response | undefined;
    try {
      for (let round = 0; ; round += 1) {
        context.options = { ...original, body: JSON.stringify({ requests: followUpRequests(pending) }) };
        await next.execute(context);
        const response = context.response;
        if (response === undefined) {
          if (round === 0) return;
          break;
        }
        // A batch refused as a whole (429, 5xx) is the retry handler's to judge: it sends it again whole.
        if (round === 0 && response.status !== 200) return;
        const text = await response.text();
        // A later round refused as a whole cannot go back to the retry handler (the earlier rounds'
        // answers were processed): the server refused each of its requests, and each is judged as if
        // refused alone, within the same limits (rounds, Retry-After, deadline). Ending there left a
        // 429 in the caller's answer for a request that would have gone through a moment later.
        const answers = response.status === 200 ? parseBatchResponses(text) : refusalAnswers(response, text, pending);
        if (response.status === 200) answered = response;
        if (answers === undefined) {
          if (round === 0) {
            context.response = rebuilt(text, response);
            return;
          }
          break;
        }
        for (const answer of answers) {
          if (!pending.some((item) => item.id === answer.id)) continue;
          attempts.set(answer.id, (attempts.get(answer.id) ?? 0) + 1);
          last.set(answer.id, answer);
        }
        const plan = this.plan(pending, answers, isIdempotent, round, context.options.signal ?? undefined);
        const clientRequestId = getRequestHeader(context, "client-request-id") ?? "";
        for (const stop of plan.giveUps) {
          const event: BatchGiveUpEvent = { clientRequestId, reason: stop.reason, ids: stop.ids, rounds: round, statuses: stop.statuses };
          this.giveUpListeners.emit(event, this.settings.onGiveUp, this.logGiveUp);
        }
        if (plan.resend === undefined) break;
        const event: BatchRoundEvent = { clientRequestId, round: round + 1, requests: plan.resend.size, ids: items.filter((item) => plan.resend?.has(item.id)).map((item) => item.id), delayMs: plan.waitMs, statuses: plan.statuses };
        this.roundListeners.emit(event, this.settings.onRound, this.logRound);
        const resend = plan.resend;
        const resumeClock = suspendAttemptClock(context);
        try {
          await abortableDelay(plan.waitMs, original?.signal ?? undefined);
        } finally {
          resumeClock();
        }
        pending = items.filter((item) => resend.has(item.id));
      }
    } finally {
      context.options = original;
    }
    context.response = merged(items, last, attempts, answered);
  }

  /**
   * What to re-send after a round, and after how long (`resend` undefined to stop), and which
   * retryable requests are left as they are, and why.
   */
  private plan(
    pending: readonly BatchRequestItem[],
    answers: readonly BatchResponseItem[],
    isIdempotent: (item: BatchRequestItem) => boolean,
    round: number,
    signal: AbortSignal | undefined,
  ): RoundPlan {
    const byId = new Map(pending.map((item) => [item.id, item]));
    // A wait beyond what the caller accepts (the retry handler's limit when it published one) ends the
    // retries, and so does one that would end at or past the call's deadline: that round could not finish.
    const limit = readWaitLimit(signal);
    const leftMs = limit === undefined ? Number.POSITIVE_INFINITY : limit.startedAt + limit.deadlineMs - performance.now();
    const maxWaitMs = Math.min(this.settings.maxRetryAfterMs, limit?.maxRetryAfterMs ?? Number.POSITIVE_INFINITY);
    const chosen = new Set<string>();
    const statuses: Record<string, number> = {};
    const stops = new Map<BatchGiveUpReason, { ids: string[]; statuses: Record<string, number> }>();
    const stop = (reason: BatchGiveUpReason, answer: BatchResponseItem): void => {
      const entry = stops.get(reason) ?? { ids: [], statuses: {} };
      entry.ids.push(answer.id);
      entry.statuses[answer.status] = (entry.statuses[answer.status] ?? 0) + 1;
      stops.set(reason, entry);
    };
    let waitMs = 0;
    for (const answer of answers) {
      const item = byId.get(answer.id);
      if (item === undefined || !isRetryableSubResponse(answer.status, item, isIdempotent)) continue;
      const asked = subResponseRetryAfter(answer);
      const wait = asked ?? (answer.status === 429 ? this.settings.baseDelayMs : this.settings.baseDelayMs * 2 ** round);
      if (round >= this.settings.maxRetries) stop("max-retries", answer);
      else if (wait > maxWaitMs) stop("retry-after-too-long", answer);
      else if (wait >= leftMs - 1) stop("deadline", answer);
      else {
        chosen.add(answer.id);
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        waitMs = Math.max(waitMs, wait);
      }
    }
    const giveUps = [...stops].map(([reason, entry]) => ({ reason, ...entry }));
    if (chosen.size === 0) return { resend: undefined, waitMs: 0, statuses, giveUps };
    return { resend: withDependents(pending, chosen), waitMs, statuses, giveUps };
  }
}

/** What a round's answers call for. */
interface RoundPlan {
  readonly resend: Set<string> | undefined;
  readonly waitMs: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly giveUps: readonly { readonly reason: BatchGiveUpReason; readonly ids: readonly string[]; readonly statuses: Readonly<Record<string, number>> }[];
}

/** The requests of a `$batch` in the context, or `undefined` for any other request. */
function readBatch(context: Context): BatchRequestItem[] | undefined {
  const request = context.request;
  // A `Request` object holds a one-shot body stream: it cannot be re-sent in rounds.
  if (typeof request !== "string") return undefined;
  if (!isBatchRequest(request, context.options?.method ?? "GET")) return undefined;
  return parseBatchRequests(context.options?.body);
}

/** The one batch response the caller sees: every request's last real answer, in the original order. */
function merged(
  items: readonly BatchRequestItem[],
  last: ReadonlyMap<string, BatchResponseItem>,
  attempts: ReadonlyMap<string, number>,
  lastResponse: Response | undefined,
): Response {
  const responses = items.flatMap((item) => {
    const answer = last.get(item.id);
    // Never invent an answer: a request the server never answered is left out, as Graph would.
    return answer === undefined ? [] : [withAttempts(answer, attempts.get(item.id) ?? 1)];
  });
  const headers = new Headers(lastResponse?.headers);
  headers.delete("content-length");
  headers.delete("content-encoding");
  headers.set("content-type", "application/json");
  return new Response(JSON.stringify({ responses }), { status: 200, statusText: "OK", headers });
}

/** A response whose body was read, given back whole. */
function rebuilt(text: string, response: Response): Response {
  return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });
}
