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
import { followUpRequests, isRetryableSubResponse, withAttempts } from "./subResponses.js";
import { validateBatch } from "./validateBatch.js";

/**
 * Makes a JSON batch (`POST /$batch`) survive throttling. Graph judges every request inside a
 * batch on its own: a `200 OK` batch may hold `429`s (with their own `Retry-After`), `503`s and
 * `504`s. This handler checks the batch before sending (a `ValidationError` listing every
 * problem), then re-sends what is retryable in follow-up batches after the wait the server asked
 * for: a `429` always; a `502`/`503`/`504` only for idempotent methods, requests marked with
 * `IdempotentRequestOption`, or those `isIdempotent` vouches for. A request depending on one that
 * is re-sent goes with it. The caller gets ONE batch response, in the original order with the
 * original ids; each sub-response carries an `x-attempts` header. What still failed keeps its last
 * real status and body.
 *
 * Place it between the retry handler (which re-sends a batch refused as a whole) and the
 * throttle handler (which counts each sub-request against its own route's budget and starts the
 * shared cooldown on a sub-request `429`): auth → retry → batch → throttle → … → HTTPMessageHandler.
 * Other requests pass through untouched.
 */
export class BatchHandler implements Middleware {
  private nextMiddleware: Middleware | undefined;
  private readonly settings: BatchSettings;

  /**
   * @param options - See {@link BatchHandlerOptions}.
   * @throws InvalidOptionsError when an option is out of range.
   */
  constructor(options: BatchHandlerOptions = {}) {
    this.settings = resolveBatchOptions(options);
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
  async execute(context: Context): Promise<void> {
    const next = this.nextMiddleware;
    if (next === undefined) throw new Error("BatchHandler needs a next middleware (end the chain with HTTPMessageHandler)");
    const items = readBatch(context);
    if (items === undefined) {
      await next.execute(context);
      return;
    }
    validateBatch(items);
    const vouched = getMiddlewareOption(context, IdempotentRequestOption)?.idempotent === true;
    const isIdempotent = vouched ? () => true : this.settings.isIdempotent;
    const original = context.options;
    const attempts = new Map<string, number>();
    const last = new Map<string, BatchResponseItem>();
    let pending = items;
    let response: Response | undefined;
    try {
      for (let round = 0; ; round += 1) {
        context.options = { ...original, body: JSON.stringify({ requests: followUpRequests(pending) }) };
        await next.execute(context);
        response = context.response;
        // A batch refused as a whole (429, 5xx) is the retry handler's to judge; a later round's
        // refusal ends ours, and the earlier real answers stand.
        if (response === undefined || response.status !== 200) {
          if (round === 0) return;
          break;
        }
        const text = await response.text();
        const answers = parseBatchResponses(text);
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
        if (plan === undefined) break;
        const resumeClock = suspendAttemptClock(context);
        try {
          await abortableDelay(plan.waitMs, original?.signal ?? undefined);
        } finally {
          resumeClock();
        }
        pending = items.filter((item) => plan.resend.has(item.id));
      }
    } finally {
      context.options = original;
    }
    context.response = merged(items, last, attempts, response);
  }

  /** What to re-send after a round, and after how long; `undefined` to stop. */
  private plan(
    pending: readonly BatchRequestItem[],
    answers: readonly BatchResponseItem[],
    isIdempotent: (item: BatchRequestItem) => boolean,
    round: number,
    signal: AbortSignal | undefined,
  ): { resend: Set<string>; waitMs: number } | undefined {
    if (round >= this.settings.maxRetries) return undefined;
    const byId = new Map(pending.map((item) => [item.id, item]));
    // A wait beyond what the caller accepts (the retry handler's limit when it published one) ends the
    // retries, and so does one that would end at or past the call's deadline: that round could not finish.
    const limit = readWaitLimit(signal);
    const leftMs = limit === undefined ? Number.POSITIVE_INFINITY : limit.startedAt + limit.deadlineMs - performance.now();
    const maxWaitMs = Math.min(this.settings.maxRetryAfterMs, limit?.maxRetryAfterMs ?? Number.POSITIVE_INFINITY, leftMs - 1);
    const chosen = new Set<string>();
    let waitMs = 0;
    for (const answer of answers) {
      const item = byId.get(answer.id);
      if (item === undefined || !isRetryableSubResponse(answer.status, item, isIdempotent)) continue;
      const asked = subResponseRetryAfter(answer);
      const wait = asked ?? (answer.status === 429 ? this.settings.baseDelayMs : this.settings.baseDelayMs * 2 ** round);
      if (wait > maxWaitMs) continue;
      chosen.add(answer.id);
      waitMs = Math.max(waitMs, wait);
    }
    if (chosen.size === 0) return undefined;
    return { resend: withDependents(pending, chosen), waitMs };
  }
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
