import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import { GraphRequestError } from "../errors/GraphRequestError.js";
import { readRetryAfter } from "../chain/readRetryAfter.js";
import { getRequestHeader } from "../chain/requestHeaders.js";
import { readWaitLimit, refuseWait, type WaitLimit } from "../chain/waitLimit.js";
import { GRAPH_HOSTS } from "../chain/graphHosts.js";
import { SLOW_START_MIN_IN_FLIGHT } from "./AdaptiveRate.js";
import { resolveBudgets, type ResolvedBudget } from "./budgetMatching.js";
import { guardStore, needsGuard } from "./guardStore.js";
import { ClaimsCache } from "./jwtClaims.js";
import { requestLine, targetOf, type RequestTarget } from "./readRequestTarget.js";
import { INTUNE_DEVICE_CONFIGURATION_BUDGETS } from "./ThrottleBudget.js";
import type { Disposable } from "../retry/retryEvents.js";
import type { ThrottleKeyStats, ThrottleListener } from "./ThrottleEvents.js";
import { identityFromToken, UNKNOWN_APP, type ThrottleIdentity } from "./throttleIdentity.js";
import { isMailbox, MAILBOX_CONCURRENCY, ME_MAILBOX, workloadOf, type GraphWorkload } from "./graphWorkload.js";
import { readRateLimitHeaders } from "./readRateLimitHeaders.js";
import { ThrottleScheduler, type Grant, type KeyState, type Lane } from "./ThrottleScheduler.js";
import type { ThrottleStore } from "./ThrottleStore.js";
import { suspendAttemptClock } from "../chain/attemptClock.js";
import { abortableDelay } from "../chain/abortableDelay.js";
import { getRequestTrace, type RequestTrace } from "../chain/RequestTrace.js";
import type { GraphLogger } from "../chain/logger.js";
import { logStoreFallback, logStoreRecover, logThrottle } from "./logThrottleEvents.js";
import { resolveThrottleOptions, type ThrottleHandlerOptions, type ThrottleSettings } from "./ThrottleHandlerOptions.js";
import { readBatchTargets, type BatchSubTarget } from "./readBatchTargets.js";
import { learnFromBatch, type BatchGrant } from "./batchLearning.js";
import { failedDependents, mergedBatchResponse, partAnswers, sendOrder } from "./batchParts.js";
import { failedDependencyResponse, followUpRequests, isSuccess } from "../batch/subResponses.js";
import type { BatchRequestItem, BatchResponseItem } from "../batch/batchTypes.js";

/** A sub-request of a batch with the budgets that count it. */
interface PlannedSub extends BatchSubTarget {
  readonly budgets: readonly ResolvedBudget[];
}

/** The grant a sub-request of a part took, with the request to send. */
interface PartGrant extends BatchGrant {
  readonly item: BatchRequestItem;
}

/** How often a batch waiting for room looks again while requests in flight fill the window, in ms. */
const BATCH_ROOM_POLL_MS = 10;

/** How many request lines (method and URL) keep their parsed target and budgets. */
const ROUTE_CACHE_SIZE = 256;

/** What the handler works out from a request line; the same for every request to that URL. */
interface Route {
  readonly target: RequestTarget;
  readonly budgets: readonly ResolvedBudget[];
}

/** Gateway failures: the throttled service behind the gateway may not have counted these attempts. */
const REFUNDED_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

export { MAX_COOLDOWN_HOLD_MS } from "./ThrottleScheduler.js";

/**
 * Keeps every request of a key (a tenant and app, and the Graph workload it calls: Intune,
 * SharePoint, Teams, one Outlook mailbox, or the rest) under Graph's limits, across all concurrent callers
 * (and across processes, with a shared store). Place it inside the retry handler so every attempt
 * passes through it: retry → throttle → … → HTTPMessageHandler.
 *
 * - A `429`/`503` with `Retry-After` starts a shared cooldown: every request of the key waits, not
 *   only the refused one. A request that would wait longer than it accepts (the retry handler's
 *   `maxRetryAfterMs` and deadline, or `maxCooldownMs` without one) fails at once with
 *   `RetryAfterTooLongError` (or `DeadlineExceededError`), and nothing is sent.
 * - Known budgets (the Intune presets on Graph hosts, or your own) are sliding windows.
 * - Routes with no known budget follow a limit learned from 429s and `Retry-After` (adaptive
 *   mode): a window (L per W, sent as bursts) when the evidence shows one, else a rate.
 * - A request holds its place in every window until one window after its response.
 * - Proactive headers (`RateLimit-*`, `x-ms-throttle-limit-percentage`) slow a key before a 429.
 * - Per key: at most `maxConcurrency` in flight (an Outlook mailbox 4, a preset on Graph hosts) and
 *   `maxQueue` waiting (FIFO, abortable through the request's `signal`); a full queue refuses with
 *   `ThrottleQueueFullError` without sending.
 *
 * Keys, events and stats hold tenant and app ids, never tokens. When the store fails or hangs,
 * calls are answered by a per-process fallback store until it works again (`onStoreFallback`,
 * `onStoreRecover`), so requests are never lost or stuck.
 *
 * @example
 * ```ts
 * const throttle = new ThrottleHandler({ store: redisStore, onThrottle: (e) => log(e.key, e.reason, e.waitMs) });
 * const client = Client.initWithMiddleware({
 *   middleware: [new AuthenticationHandler(provider), new ResilientRetryHandler(), throttle, new HTTPMessageHandler()],
 * });
 * setInterval(() => console.table(throttle.stats()), 1000);
 * ```
 */
export class ThrottleHandler implements Middleware {
  private nextMiddleware: Middleware | undefined;
  private readonly settings: ThrottleSettings;
  private readonly store: ThrottleStore;
  private readonly scheduler: ThrottleScheduler;
  private readonly claims = new ClaimsCache();
  private readonly userBudgets: readonly ResolvedBudget[];
  private readonly presetBudgets: readonly ResolvedBudget[];
  /** The wait limit of requests that no retry handler publishes one for. */
  private readonly ownWaitLimit: WaitLimit;
  /** Parsed targets and matched budgets per request line: a service repeats the same few URLs. */
  private readonly routes = new Map<string, Route>();
  /** Per key, the batch taking its grants: one at a time, so two batches never hold half their slots each. */
  private readonly batchTurns = new Map<string, Promise<void>>();

  /**
   * @param options - Budgets, store, limits and listeners; see {@link ThrottleHandlerOptions}.
   * @throws InvalidOptionsError when an option is out of range.
   */
  constructor(options: ThrottleHandlerOptions = {}) {
    const settings = resolveThrottleOptions(options);
    this.settings = settings;
    // The one failure layer for every store: stores have no timeout or fallback of their own.
    this.store = needsGuard(settings.store)
      ? guardStore(settings.store, {
          timeoutMs: settings.storeTimeoutMs,
          probeIntervalMs: settings.storeProbeIntervalMs,
          fallback: settings.fallbackStore,
          now: settings.now,
          onFallback: withLogging(settings.onStoreFallback, settings.logger, logStoreFallback),
          onRecover: withLogging(settings.onStoreRecover, settings.logger, logStoreRecover),
        })
      : settings.store;
    this.scheduler = new ThrottleScheduler({ ...settings, store: this.store });
    const margin = { ratio: settings.windowMarginRatio, ms: settings.windowMarginMs };
    this.userBudgets = resolveBudgets(settings.budgets, 1, margin, "budget-");
    this.presetBudgets =
      settings.presets === false ? [] : resolveBudgets(INTUNE_DEVICE_CONFIGURATION_BUDGETS, settings.presetTimeScale, margin, "preset-");
    if (settings.onThrottle !== undefined) this.scheduler.addListener(settings.onThrottle);
    const logger = settings.logger;
    if (logger !== undefined) this.scheduler.addListener((event) => logThrottle(logger, event));
    this.ownWaitLimit = { maxRetryAfterMs: settings.maxCooldownMs, deadlineMs: Number.POSITIVE_INFINITY, startedAt: 0 };
  }

  /**
   * Listens to throttle events (waits, cooldowns, refusals).
   * @param listener - Called for each event; it never receives a token.
   * @returns A disposable that removes the listener.
   */
  onThrottle(listener: ThrottleListener): Disposable {
    const remove = this.scheduler.addListener(listener);
    return { dispose: () => void remove() };
  }

  /** A snapshot per active key: queue, in flight, rates or budget use, cooldown, 429s seen. */
  stats(): ThrottleKeyStats[] {
    return this.scheduler.stats();
  }

  /**
   * Sets the next middleware in the chain.
   * @param next - The next middleware.
   */
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }

  /**
   * Waits for the key's turn, sends the request, and learns from the response.
   * @param context - The middleware context.
   */
  async execute(context: Context): Promise<void> {
    const next = this.nextMiddleware;
    if (next === undefined) throw new Error("ThrottleHandler needs a next middleware (end the chain with HTTPMessageHandler)");
    const { target, budgets } = this.route(context);
    const batch = readBatchTargets(context);
    if (batch !== undefined) return this.executeBatch(context, next, target, batch);
    const state = this.keyState(context, target, this.workload(context, target));
    const lane = this.scheduler.lane(state, budgets, target.isWrite ? "write" : "read");
    const trace = getRequestTrace(context);
    const queuedAt = this.settings.now();
    const signal = context.options?.signal ?? undefined;
    // One notion of how long to wait: the retry handler's limit when it published one, else maxCooldownMs.
    const limit = readWaitLimit(signal) ?? this.ownWaitLimit;
    const acquired = this.scheduler.acquire(lane, signal, (waitMs, statusCode) =>
      refuseWait(limit, waitMs, { statusCode, clientRequestId: getRequestHeader(context, "client-request-id") }),
    );
    // Granted at once (nobody ahead, nothing holding it back): no queue time, no clock to stop.
    const grant = acquired instanceof Promise ? await this.queued(context, acquired, trace, queuedAt) : acquired;
    if (trace !== undefined) trace.queuedMs += grant.at - queuedAt;
    let refund = false;
    try {
      await next.execute(context);
      refund = this.settings.refundFailedAttempts && REFUNDED_STATUSES.has(context.response?.status ?? 0);
      // Learn before the slot frees, so a request woken by the release already meets a new cooldown.
      // Most answers only confirm what was learned and return nothing to wait for.
      const learning = this.observe(context.response, lane, grant);
      // A probe step's 429: the server refused the request, so its slot goes back (checked like
      // every refund: a server that counts refused requests turns refunds off).
      if (learning !== undefined && (await learning)) refund = this.settings.refundFailedAttempts;
    } catch (error) {
      // No response at all; an aborted or timed-out attempt may still be processed, so it keeps its slot.
      refund = this.settings.refundFailedAttempts && context.options?.signal?.aborted !== true;
      throw error;
    } finally {
      this.scheduler.release(lane, grant, refund);
    }
  }

  /** Waits for a queued request's grant, with the retry handler's attempt clock stopped meanwhile. */
  private async queued(context: Context, acquiring: Promise<Grant>, trace: RequestTrace | undefined, queuedAt: number): Promise<Grant> {
    // Time in our queue is not the server hanging: stop the retry handler's attempt timer meanwhile.
    const resumeClock = suspendAttemptClock(context);
    try {
      return await acquiring;
    } catch (error) {
      if (trace !== undefined) {
        trace.queuedMs += this.settings.now() - queuedAt;
        // Our own refusals (queue full, a cooldown too long to wait); an abort reason is the caller's.
        if (error instanceof GraphRequestError) trace.error = error;
      }
      throw error;
    } finally {
      resumeClock();
    }
  }

  /** The target and budgets of the request's URL and method, parsed once per request line. */
  private route(context: Context): Route {
    const line = requestLine(context);
    const key = `${line.method} ${line.url}`;
    let route = this.routes.get(key);
    if (route === undefined) {
      const target = targetOf(line.url, line.method);
      route = { target, budgets: this.budgetsFor(target) };
      // Bounded: a service that builds many distinct URLs (ids, $filter) just parses again.
      if (this.routes.size >= ROUTE_CACHE_SIZE) this.routes.clear();
      this.routes.set(key, route);
    }
    return route;
  }

  private identity(context: Context, target: RequestTarget): ThrottleIdentity {
    const custom = this.settings.key;
    if (custom === undefined) return identityFromToken(context, target, this.claims);
    const chosen = custom(context);
    return { tenant: String(chosen.tenant), app: chosen.app === undefined ? UNKNOWN_APP : String(chosen.app) };
  }

  /** The key of a request calling a workload; a mailbox's allows Outlook's 4 in flight where the presets apply. */
  private keyState(context: Context, target: RequestTarget, workload: GraphWorkload): KeyState {
    const preset = isMailbox(workload) && this.presetsApply(target) ? MAILBOX_CONCURRENCY : undefined;
    return this.scheduler.keyState(this.identity(context, target), workload, preset);
  }

  /** Whether the built-in presets apply to a request's host (see the `presets` option). */
  private presetsApply(target: RequestTarget): boolean {
    return this.settings.presets === "always" || (this.settings.presets === "graph-hosts" && GRAPH_HOSTS.has(target.host));
  }

  /** The workload of a request's key: its path's, with `/me`'s mailbox named by the token's user (`oid`). */
  private workload(context: Context, target: RequestTarget): GraphWorkload {
    if (target.workload !== ME_MAILBOX) return target.workload;
    const oid = this.claims.ofAuthorization(getRequestHeader(context, "authorization"))?.oid;
    return oid === undefined ? ME_MAILBOX : workloadOf(target.path, oid);
  }

  private budgetsFor(target: RequestTarget): ResolvedBudget[] {
    const matched = this.userBudgets.filter((b) => b.matches(target));
    if (this.presetsApply(target)) for (const b of this.presetBudgets) if (b.matches(target)) matched.push(b);
    return matched;
  }

  /**
   * Reads the response into an observation for the scheduler, which owns everything learned. A
   * plain answer (no 429, no cooldown status, no rate-limit header) is told synchronously; the
   * others return the promise of the scheduler's learning (it may wait on the store), which tells
   * whether the answer was a probe step's 429 (its slot may be given back).
   */
  private observe(response: Response | undefined, lane: Lane, grant: Grant): Promise<boolean> | undefined {
    if (response === undefined) return undefined;
    const status = response.status;
    const headers = response.headers as Headers | undefined;
    const hint = headers === undefined ? undefined : readRateLimitHeaders(headers);
    const throttled = status === 429 || this.settings.cooldownStatuses.includes(status);
    if (!throttled && hint === undefined) {
      this.scheduler.confirmed(lane, grant, status);
      return undefined;
    }
    // The retry handler's reading of Retry-After (an HTTP-date against the response's own Date
    // header), so both agree. Browsers may hide it (Graph does not expose it to CORS).
    const retryAfterMs = throttled && headers !== undefined ? readRetryAfter(headers) : undefined;
    return this.scheduler.observe(lane, grant, { status, retryAfterMs, hint });
  }

  /**
   * A `$batch`: Graph counts each request inside against its own route's limits, so each takes a
   * grant in its own lane (in order) before it goes, and each sub-response is learned from as if
   * it came alone (a sub-request `429` starts the key's shared cooldown). A thin adapter over the
   * scheduler's acquire / release / cooldown, per sub-request.
   *
   * The batch goes in parts, each as many of its requests as the budgets have room for now, and
   * never more than a budget, `maxConcurrency` or the adaptive in-flight cap can hold at once: a free slot is used as soon as it frees, rather than
   * idling until room for the whole batch comes, and a batch larger than a budget goes in parts
   * that fit instead of overshooting it. Each part's grants are held until its answer, as a single
   * request's are. The caller gets one batch response, in the original order; a part refused as a
   * whole answers each of its requests with that refusal.
   *
   * A `dependsOn` chain may span parts: a request goes after its dependencies, in the same part
   * or after they succeeded in an earlier one (its `dependsOn` then names only requests of its own
   * part), and one whose dependency failed is answered `424 Failed Dependency` without being
   * sent, as Graph does. A batch whose `dependsOn` cannot be ordered goes whole, for the server to
   * refuse.
   */
  private async executeBatch(context: Context, next: Middleware, target: RequestTarget, subs: readonly BatchSubTarget[]): Promise<void> {
    // One key per batch (its parts share the key's turn and in-flight count): the workload of its
    // requests when they all call one, as a batch usually does; else the key of unclassified paths.
    const workloads = new Set(subs.map((sub) => this.workload(context, sub.target)));
    const workload = workloads.size === 1 ? (workloads.values().next().value as GraphWorkload) : "";
    const state = this.keyState(context, target, workload);
    const original = context.options;
    const signal = original?.signal ?? undefined;
    const limit = readWaitLimit(signal) ?? this.ownWaitLimit;
    const refuse = (waitMs: number, statusCode: number): unknown =>
      refuseWait(limit, waitMs, { statusCode, clientRequestId: getRequestHeader(context, "client-request-id") });
    let pending: PlannedSub[] = subs.map((sub) => ({ ...sub, budgets: this.budgetsFor(sub.target) }));
    const items = subs.map((sub) => sub.item);
    const answers = new Map<string, BatchResponseItem>();
    const succeeded = new Set<string>();
    const failed = new Set<string>();
    let response: Response | undefined;
    try {
      while (pending.length > 0) {
        // What depends on a failure will not run: Graph's answer, without sending it.
        const blocked = failedDependents(pending, failed);
        for (const id of blocked) answers.set(id, failedDependencyResponse(id));
        pending = pending.filter((sub) => !blocked.has(sub.id));
        if (pending.length === 0) break;
        // A dependsOn that cannot be ordered (unknown id, cycle) is the server's to refuse: that batch goes whole.
        const order = sendOrder(pending, succeeded);
        let part: { grants: PartGrant[]; hold: boolean };
        try {
          part = await this.takePart(context, state, order ?? pending, order === undefined, signal, refuse);
        } catch (error) {
          // A wait refused after earlier parts were answered (processed): those answers stand, the
          // rest go unanswered rather than have the whole batch re-sent. An abort is the caller's.
          if (answers.size === 0 || signal?.aborted === true) throw error;
          break;
        }
        const sent = new Set(part.grants.map((g) => g.id));
        pending = pending.filter((sub) => !sent.has(sub.id));
        const whole = answers.size === 0 && pending.length === 0;
        // The common case, the whole batch at once, goes as the caller wrote it; a part keeps only
        // the dependsOn among its own requests (the others already succeeded).
        context.options = whole ? original : { ...original, body: JSON.stringify({ requests: followUpRequests(part.grants.map((g) => g.item)) }) };
        try {
          await this.sendPart(context, next, part.grants, part.hold);
        } catch (error) {
          // What earlier parts got stands (it was processed); with none, the failure is the batch's.
          if (answers.size === 0 || signal?.aborted === true) throw error;
          break;
        }
        response = context.response;
        if (whole || response === undefined) return;
        // Nothing answered yet: a refusal or an unreadable answer is the whole batch's, as it came.
        if (answers.size === 0 && response.status !== 200) return;
        const got = await partAnswers(response, part.grants.map((g) => g.item));
        if (got === undefined) break;
        for (const answer of got) {
          answers.set(answer.id, answer);
          (isSuccess(answer.status) ? succeeded : failed).add(answer.id);
        }
      }
    } finally {
      context.options = original;
    }
    context.response = mergedBatchResponse(items, answers, response);
  }

  /**
   * Waits until the first request in `order` fits, then takes grants for as many leading requests
   * as fit now and can be held together (in the key's batch turn, so two batches never hold half
   * their grants each); with `whole`, all of them at once. Only what cannot be held (a request
   * alone, or a whole batch) goes unheld: its grants are released as soon as taken.
   */
  private async takePart(
    context: Context,
    state: KeyState,
    order: readonly PlannedSub[],
    whole: boolean,
    signal: AbortSignal | undefined,
    refuse: (waitMs: number, statusCode: number) => unknown,
  ): Promise<{ grants: PartGrant[]; hold: boolean }> {
    const trace = getRequestTrace(context);
    const queuedAt = this.settings.now();
    const resumeClock = suspendAttemptClock(context);
    const first = whole ? order : order.slice(0, 1);
    const hold = this.canHold(state, first.map((p) => p.budgets));
    const grants: PartGrant[] = [];
    try {
      while (grants.length === 0) {
        // Wait for room outside the turn, so a small batch that fits now is not stuck behind one that waits.
        if (hold && !this.roomNow(state, first)) {
          await this.waitForRoom(state, first, signal);
          continue;
        }
        await this.withBatchTurn(state, async () => {
          const count = whole || !hold ? first.length : this.fittingCount(state, order);
          for (const sub of order.slice(0, count)) {
            // The lane is looked up right before each grant: the scheduler drops a lane when its queue empties.
            const lane = this.scheduler.lane(state, sub.budgets, sub.target.isWrite ? "write" : "read", false);
            const taken = await this.scheduler.acquire(lane, signal, refuse, hold ? grants.map((held) => held.lane) : undefined);
            if (!hold) this.scheduler.release(lane, taken);
            // One HTTP request carries the whole part, and the server runs its requests in any
            // order: a depth says nothing about which of them a concurrency limit would refuse.
            const grant: Grant = { at: taken.at, ticket: taken.ticket };
            grants.push({ id: sub.id, item: sub.item, lane, grant });
          }
          return true;
        });
      }
      return { grants, hold };
    } catch (error) {
      // Nothing of this part was sent: every grant held goes back.
      if (hold) for (const held of grants) this.scheduler.release(held.lane, held.grant, true);
      if (trace !== undefined && error instanceof GraphRequestError) trace.error = error;
      throw error;
    } finally {
      resumeClock();
      if (trace !== undefined) trace.queuedMs += this.settings.now() - queuedAt;
    }
  }

  /** How many leading requests can be held together and fit in the budgets now (0 when not even the first). */
  private fittingCount(state: KeyState, order: readonly PlannedSub[]): number {
    // Past the key's free in-flight places, a grant would wait for another answer while the ones before it idle.
    const places = Math.max(1, state.maxInFlight - state.inFlight);
    let count = 0;
    while (count < Math.min(order.length, places)) {
      const candidate = order.slice(0, count + 1);
      if (!this.canHold(state, candidate.map((p) => p.budgets)) || !this.roomNow(state, candidate)) break;
      count += 1;
    }
    return count;
  }

  /** Sends one part, learns from each of its answers, and releases its grants. */
  private async sendPart(context: Context, next: Middleware, grants: readonly PartGrant[], hold: boolean): Promise<void> {
    const refunded = new Set<string>();
    let refundAll = false;
    try {
      await next.execute(context);
      await learnFromBatch(context.response, grants, async (status, retryAfterMs, grant, whole) => {
        if (this.settings.refundFailedAttempts && REFUNDED_STATUSES.has(status)) {
          if (whole) refundAll = true;
          else refunded.add(grant.id);
        }
        // Each sub-response is learned from as if it came alone, through the scheduler that owns the key's state.
        if (status === 429 || this.settings.cooldownStatuses.includes(status)) {
          const overshot = await this.scheduler.observe(grant.lane, grant.grant, { status, retryAfterMs, hint: undefined });
          if (overshot && this.settings.refundFailedAttempts && !whole) refunded.add(grant.id);
        } else {
          this.scheduler.confirmed(grant.lane, grant.grant, status);
        }
      });
    } catch (error) {
      // No response at all; an aborted or timed-out attempt may still be processed, so it keeps its grants.
      refundAll = this.settings.refundFailedAttempts && context.options?.signal?.aborted !== true;
      throw error;
    } finally {
      if (hold) for (const held of grants) this.scheduler.release(held.lane, held.grant, refundAll || refunded.has(held.id));
    }
  }

  /**
   * Runs `step` in the key's batch turn: one part of one batch of a key takes its grants at a
   * time, so two parts never hold half their grants each.
   */
  private async withBatchTurn(state: KeyState, step: () => Promise<boolean> | boolean): Promise<boolean> {
    const previous = this.batchTurns.get(state.key) ?? Promise.resolve();
    let endTurn = (): void => undefined;
    const turn = new Promise<void>((resolve) => (endTurn = resolve));
    const chained = previous.then(() => turn);
    this.batchTurns.set(state.key, chained);
    try {
      await previous;
      return await step();
    } finally {
      endTurn();
      if (this.batchTurns.get(state.key) === chained) this.batchTurns.delete(state.key);
    }
  }

  /** Whether every lane has room for all these requests now (see {@link waitForRoom}). */
  private roomNow(state: KeyState, planned: readonly { readonly target: RequestTarget; readonly budgets: readonly ResolvedBudget[] }[]): boolean {
    return this.roomWaitMs(state, planned) <= 0;
  }

  private roomWaitMs(state: KeyState, planned: readonly { readonly target: RequestTarget; readonly budgets: readonly ResolvedBudget[] }[]): number {
    const needs = new Map<Lane, number>();
    for (const sub of planned) {
      const lane = this.scheduler.lane(state, sub.budgets, sub.target.isWrite ? "write" : "read", false);
      needs.set(lane, (needs.get(lane) ?? 0) + 1);
    }
    let waitMs = 0;
    for (const [lane, count] of needs) waitMs = Math.max(waitMs, this.scheduler.roomWaitMs(lane, count));
    for (const lane of needs.keys()) this.scheduler.dropIdleLane(lane);
    return waitMs;
  }

  /**
   * Waits until every lane has room for these requests at once (the first request of a part), by
   * the local windows: grants taken one by one as the window slides would sit idle (counted, not
   * sent) until the last one comes, and the budget they hold would be lost for a whole window.
   */
  private async waitForRoom(state: KeyState, planned: readonly { readonly target: RequestTarget; readonly budgets: readonly ResolvedBudget[] }[], signal: AbortSignal | undefined): Promise<void> {
    const waitMs = this.roomWaitMs(state, planned);
    if (waitMs <= 0) return;
    this.scheduler.emit(state, "budget", Number.isFinite(waitMs) ? waitMs : 0);
    // Requests in flight fill the window: their answers free it, so look again shortly.
    await abortableDelay(Number.isFinite(waitMs) ? waitMs : BATCH_ROOM_POLL_MS, signal);
  }

  /** Whether a part can hold all its grants until its answer without waiting on itself. */
  private canHold(state: KeyState, budgetsPerSub: readonly (readonly ResolvedBudget[])[]): boolean {
    if (budgetsPerSub.length > state.maxInFlight) return false;
    const perBudget = new Map<ResolvedBudget, number>();
    let adaptive = 0;
    for (const budgets of budgetsPerSub) {
      if (budgets.length === 0) adaptive += 1;
      for (const budget of budgets) perBudget.set(budget, (perBudget.get(budget) ?? 0) + 1);
    }
    // No more of the adaptive class than slow start lets a process alone keep in flight (a part's
    // own grants never wait on each other: see ThrottleScheduler.acquire).
    if (this.settings.adaptive !== false && adaptive > SLOW_START_MIN_IN_FLIGHT) return false;
    // Within this process's share of the budget: more would wait for room that never comes.
    for (const [budget, count] of perBudget) if (count > this.scheduler.budgetShare(state, budget)) return false;
    return true;
  }
}

/** A store listener that also logs, when there is a logger. */
function withLogging<E>(
  listener: ((event: E) => void) | undefined,
  logger: GraphLogger | undefined,
  write: (logger: GraphLogger, event: E) => void,
): ((event: E) => void) | undefined {
  if (logger === undefined) return listener;
  return (event) => {
    write(logger, event);
    listener?.(event);
  };
}
