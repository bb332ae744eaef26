import { RecentCounter } from "./RecentCounter.js";
import { lowerRate, sameRate } from "./sameRate.js";
import { WindowSearch, toleranceMs } from "./WindowSearch.js";
import { EarlyCooldownEnd } from "./EarlyCooldownEnd.js";
import type { RateChange } from "./ThrottleStore.js";

/** Tuning of the adaptive rate, already defaulted; see `AdaptiveThrottleOptions` for meanings. */
export interface AdaptiveRateSettings {
  readonly initialRate: number;
  readonly minRate: number;
  readonly maxRate: number;
  readonly slowStartIntervalMs: number;
  readonly increaseIntervalMs: number;
  readonly decreaseFactor: number;
  readonly plateauRatio: number;
  readonly holdMs: number;
  readonly probeRatio: number;
  readonly burst: number;
}

/** `slow-start` doubles the rate until the first 429; `steady` holds near the learned limit. */
export type AdaptivePhase = "slow-start" | "steady";

/**
 * A share of a fleet's traffic (see {@link AdaptiveRate.sharedUse}) at or above which a process
 * counts as alone: a store's count may lag its own by a settle or two.
 */
const ALONE_SHARE = 0.9;
/**
 * The share of the learned limit that the learned window must hold at a refusal for the refusal to
 * lengthen the window rather than cut the limit (see windowLongerThanLearned): below it, the
 * server admitted clearly less than the limit, and the limit dropped.
 */
const FULL_WINDOW = 0.9;
/**
 * The shortest wait before a fleet's burst is counted in the store (see
 * `AdaptiveRate.takeFleetCount`): the other processes' answers and refunds are a store round trip
 * behind their own answers.
 */
const FLEET_COUNT_MIN_DELAY_MS = 250;
/** The smallest share a count is divided by (a fleet of 32 processes on one key). */
const MIN_SHARE = 1 / 32;

/** Probe steps back toward a former level start at 1/CLIMB_STEPS of the gap, or of the rate when that is less (then double): 1/8 + 2/8 + 4/8 + the rest. */
const CLIMB_STEPS = 8;
/** A climb back that fails this many times gives the former level up: the limit stayed down. */
const CLIMB_TRIES = 2;

/** A probe step shown only by a burst is at most this fraction of the level (see `AdaptiveRate.probeWindow`). */
const BURST_STEP_DIVISOR = 16;
/**
 * Graph's shortest window: the span a burst must show a probe step's level in (see
 * `AdaptiveRate.burstProven`), and the least time a burst into an empty window holds the server's
 * window (see `AdaptiveRate.concurrencyRefusal`).
 */
const SHORTEST_WINDOW_MS = 1000;

/**
 * The fewest requests in flight in slow start, before the round trip is known or while the rate
 * keeps fewer in flight: all of them are refused when the first 429 comes (what the server
 * admits fills while they travel).
 */
export const SLOW_START_MIN_IN_FLIGHT = 4;
/**
 * A failed probe step falls back below the level it started from when the server admitted less
 * than this share of that level since the last cooldown: the level was not sustained (a bucket's
 * saved tokens carried it), where a reading within the margin is a window's edge effects.
 */
const DRAINED_RATIO = 0.95;

/** The longest window learned, in ms: Graph's longest documented window (Outlook, 10 min). */
export const MAX_LEARNED_WINDOW_MS = 600_000;

/**
 * How long the store keeps slow start's grants, beyond the one-second window they are counted in:
 * the window the first 429 teaches is longer, and it is read from the burst that began at the
 * anchor. A store that prunes by time (Redis) dropped the head of a burst that lasted over a
 * second (a fleet's, 1.0-1.4 s, traced), and the fleet's count of the burst (its exact limit) was
 * skipped for the share's estimate. Bounded so that a class that never meets a limit keeps
 * seconds of grants, not minutes.
 */
export const SLOW_START_KEEP_MS = 10_000;

/** A window learned from a `Retry-After`, until a request sent after that 429 comes back (see `AdaptiveRate.retryAfterUnderstated`). */
interface ShapeCheck {
  readonly at: number;
  readonly anchorAt: number;
  readonly limit: number;
  readonly retryAfterEndsAt: number;
}

/**
 * Learns the sustainable request rate of one route class from 429s, for routes with no known
 * budget. The rate itself lives in the store (shared); this object holds the local decisions:
 *
 * - the rate is enforced as a one-second sliding window (at most `rate` grants in any second, see
 *   {@link window}) with grants paced at `burst` × rate, both through the store;
 * - slow start: the rate doubles at most every `slowStartIntervalMs` and every two round trips,
 *   while the rate is what holds requests back and a request granted at the current rate came
 *   back unthrottled, with at most twice the requests in flight that the rate needs at the
 *   shortest round trip seen, until the first 429;
 * - on a 429: the limit is estimated as the success rate observed over the last
 *   `Retry-After` (1 s to 10 s), the rate snaps to `decreaseFactor` × that estimate (to the
 *   estimate itself when it is the count of the last second's successes), and that estimate
 *   becomes the ceiling. 429s of requests granted before the last decrease belong to
 *   the same burst and are ignored (one decrease per burst). A 429 that comes after the rate was
 *   sent for over a second marks a limit with a longer memory (a token bucket): the rate it
 *   sustained since the last refusal is kept instead (see {@link sustainedRate});
 * - steady: the rate climbs back quickly to `plateauRatio` × ceiling (halving the gap every
 *   `increaseIntervalMs`), holds there, then probes upward (see {@link probeWindow}; a one-second
 *   window while none is learned), so a limit that grew back is found within a few windows.
 *
 * The window's length is learned too (see {@link windowMs}). A burst that starts from an empty
 * window (the first request of a key, or one after a learned window of silence) is an anchor: when
 * its first 429 comes, every success since the anchor is still in the server's window if the
 * burst is shorter than the `Retry-After` (less its precision: a whole-second value may be rounded
 * up by up to a second). Then the successes are the limit L (a lower bound: the server may count
 * more than ours), and 429 time + `Retry-After` − anchor is the window W (an upper bound: the
 * server counted the anchor at or after our grant). L in W is then enforced as a sliding window
 * (strictly safer than a fixed window of the same L and W), sent as a burst, with each slot freed
 * one window after its response. Several anchored bursts keep the shortest W (each is an upper
 * bound). Any other 429 (ambiguous shape, or a limit that dropped) re-estimates the limit from the
 * successes over the last W, as a rate, and the window stays. A window known only from above
 * (whole-second `Retry-After`, or none) is narrowed by single requests sent ahead of it, alone
 * (see {@link WindowSearch} and {@link windowProbeMs}).
 */
export class AdaptiveRate {
  /** The current rate in requests per second (the store's value, cached). */
  rate: number;
  /** The current phase. */
  phase: AdaptivePhase;
  /** The estimated server limit (requests per second) after the last 429. */
  ceiling: number | undefined;
  /** 429s seen. */
  throttled = 0;
  /** Decreases applied (429 bursts). */
  decreases = 0;
  private lastChangeAt: number;
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private plateauSince: number | undefined;
  private demand = false;
  /** A request granted since the last change came back unthrottled: the current rate works. */
  private validated = false;
  /** Smoothed round trip (grant to response), ms. */
  private srtt: number | undefined;
  /** Shortest round trip seen, ms: the trip without queueing. */
  private minRtt: number | undefined;
  private successes = new RecentCounter(100, 100);
  /**
   * The learned window length in ms (an upper bound of the server's), or `undefined` while the
   * limit is kept as a one-second rate.
   */
  windowMs: number | undefined;
  /** Grant time of the first request of a burst that started from an empty window. */
  private anchorAt: number | undefined;
  /** Successes of requests granted since the anchor. */
  private anchorSuccesses = 0;
  /** When the last response of this class came. */
  private lastAnswerAt: number | undefined;

  /**
   * @param settings - Tuning.
   * @param now - The current time in ms.
   * @param storedRate - A rate already in the store (learned earlier or by another process).
   * @param storedWindowMs - A window already learned (see {@link windowMs}).
   */
  constructor(
    private readonly settings: AdaptiveRateSettings,
    now: number,
    storedRate?: number,
    storedWindowMs?: number,
  ) {
    this.lastChangeAt = now;
    this.windowMs = storedWindowMs;
    if (storedWindowMs !== undefined) this.successes = counterFor(storedWindowMs);
    if (storedRate === undefined) {
      this.rate = settings.initialRate;
      this.phase = "slow-start";
    } else {
      // Someone learned it already: treat it as the plateau of a known ceiling.
      this.rate = storedRate;
      this.phase = "steady";
      this.ceiling = storedRate / settings.plateauRatio;
    }
  }

  /**
   * The learned limit as a sliding window: `rate` requests in any second (for rates below one per
   * second, one request per `1000 / rate` ms). A window rather than a bare pace lets the requests
   * that waited out a cooldown go at once, as the server's own window allows after the cooldown.
   */
  get window(): { readonly limit: number; readonly windowMs: number } {
    const w = this.windowMs;
    if (w !== undefined && (this.rate * w) / 1000 >= 1) return { limit: Math.floor((this.rate * w) / 1000 + 1e-9), windowMs: w };
    return this.rate >= 1 ? { limit: Math.floor(this.rate), windowMs: 1000 } : { limit: 1, windowMs: Math.ceil(1000 / this.rate) };
  }

  /** How long the store keeps this class's grants when longer than {@link window}'s: in slow start, {@link SLOW_START_KEEP_MS}. */
  get keepMs(): number | undefined {
    return this.phase === "slow-start" ? SLOW_START_KEEP_MS : undefined;
  }

  /**
   * The smallest gap between two grants, in ms: the rate times `burst`, so a second's worth is
   * spread out. 0 once a window is learned: its limit may go out as one burst.
   */
  get intervalMs(): number {
    if (this.windowMs !== undefined) return 0;
    // Within a second: `burst` × rate, or the rate itself while a smooth trial runs and once one lasted.
    const stage = this.pace.stage;
    return 1000 / (this.rate * (stage === "running" || stage === "smooth" ? 1 : this.settings.burst));
  }

  /**
   * The smooth trial of the pace within a second (see {@link intervalMs}). A token bucket with a
   * small burst (5 tokens, refilled 25 per second) refuses a second's worth sent within a quarter
   * of a second above 5 + 25/4 requests, and a one-second window refuses the same step the same
   * way, so one failure cannot tell them apart: without the trial, such a bucket held the rate at
   * 11 of its 25 per second for good. So the first per-second probe step that fails is
   * `scheduled` to be tried once more at a smooth pace (one grant every 1/rate s), `running` while
   * that step is out; if it lasts, the pace stays `smooth`; if it fails too, the limit was the
   * rate, and the pace goes back to `bursts` (one trial per class, one step's overshoot).
   */
  private pace: PaceTrial = { stage: "untested" };

  /**
   * A request of this class is granted. With nothing in flight and a learned window of silence
   * behind (or nothing ever sent), the server's window is empty: the burst starting here is an anchor.
   * @param now - The current time in ms.
   * @param inFlight - Requests of this class in flight before this one.
   * @param sharedSinceMs - How long ago the oldest grant in the shared window was made, by any
   *   process sharing the store (0 alone): a burst anchored here began that much earlier.
   */
  granted(now: number, inFlight: number, sharedSinceMs = 0): void {
    // While a suspect 429 is being checked, the burst it refused is not over.
    if (inFlight > 0 || this.suspect !== undefined) return;
    const quietFor = this.lastAnswerAt === undefined ? Number.POSITIVE_INFINITY : now - this.lastAnswerAt;
    const fresh = this.lastAnswerAt === undefined && this.phase === "slow-start";
    if (fresh || (this.windowMs !== undefined && quietFor >= this.windowMs)) {
      // Other processes sharing the store may have started the burst earlier: the server's window
      // opened with the fleet's first grant, so W measured from it stays an upper bound.
      this.anchorAt = now - Math.max(0, sharedSinceMs);
      this.anchorSuccesses = 0;
    }
  }

  /**
   * A grant's use of the learned window, here and in the store: this process's requests in it
   * (its own window, this one included) against every process's (the store's count). Their ratio
   * is this process's share of a fleet's traffic; a count of successes seen here, divided by it,
   * reads the whole fleet's (see {@link fleet}). One process, or a store of its own, has a share of 1.
   * @param own - This process's requests in the window, the new grant included.
   * @param all - Every process's grants in the store's window, the new grant included.
   */
  sharedUse(own: number, all: number): void {
    // Too few to say, or a store that holds far less of the window than this process sent in it
    // (its log lost them: a key that expired, an outage's fallback): no reading. Read as alone,
    // a process that resumed after a cooldown gave no refusal back and read the fleet's limit from
    // its own successes, and halved it.
    if (all < 4 || all * 2 < own) return;
    // A store's count at or below ours (a settle not in yet) means we are alone. Smoothed over a
    // few grants only (the count divided by it covers the last window), and rising at once: a share
    // read too high makes the fleet's count read low, one read too low makes it read high, and the
    // fleet overshoots.
    const sample = own < all ? own / all : 1;
    this.share = Math.max(sample, (this.share + sample) / 2);
  }

  /**
   * A count of successes seen here as the fleet's: divided by this process's share of the
   * traffic (see {@link sharedUse}), rounded down. Unchanged while the share is near 1 (one
   * process, or a store of its own), so a lone process reads exactly what it saw.
   */
  private fleet(count: number): number {
    const share = Math.max(MIN_SHARE, Math.min(1, this.share));
    return share >= ALONE_SHARE ? count : Math.floor(count / share);
  }

  /** This process's share of the grants in the shared window (smoothed), 1 when alone. */
  private share = 1;

  /** The rate (pacer or learned window) held a request back: it is what limits throughput now. */
  limited(): void {
    this.demand = true;
  }

  /**
   * A grant left this class's queue empty: demand ran out, so what the server admits from here on
   * says nothing about its sustained rate until requests wait again (see {@link sustainedRate}).
   * @param now - The current time in ms.
   */
  drained(now: number): void {
    this.restartSustained(now);
  }

  private restartSustained(now: number): void {
    this.sustainedFrom = now;
    this.sustainedSuccesses = 0;
  }

  /**
   * The rate the server sustained between two refusals, with requests waiting throughout (per
   * second; `undefined` when that says nothing): the successes of requests granted since the last
   * decrease (or since the queue last ran dry, whichever is later) over the time since. A token
   * bucket refuses when it is empty, so between two refusals it admitted exactly what it refilled:
   * this is its rate, where the successes of the last second also hold the tokens saved up during
   * the cooldown (a per-second reading of 24 for a bucket of 20 per second, a 429 every few
   * seconds). Only while the limit is kept per second (a learned window counts its own limit), alone
   * (a shared rate is the fleet's), over at least two seconds, and for a 429 that came more than a
   * second and two round trips after the rate last changed and the last cooldown ended (the rate
   * was sent that long): a one-second window refuses a rate above its limit within its first
   * second, so a later refusal at the same rate is the mark of a limit with a longer memory (a
   * bucket, or a longer window). In a one-second window the
   * successes since the last decrease also span the cooldown, when nothing was sent: that reading
   * would be too low for it, and this rule keeps it out.
   * @param now - The current time in ms.
   */
  private sustainedRate(now: number): SustainedRate | undefined {
    const lastedMs = now - Math.max(this.lastChangeAt, this.cooldownEndsAt);
    if (lastedMs <= SHORTEST_WINDOW_MS + 2 * (this.srtt ?? 0)) return undefined;
    const rate = this.admittedSince(now, this.sustainedFrom);
    if (rate === undefined) return undefined;
    // Kept as a count per second (see window): the successes still on their way at the refusal are
    // missing from the count, and a bucket of 40 per second read as 39.8 would be held at 39. A
    // reading within 2% of a whole count is taken as that count (a low rate, where rounding up
    // would overshoot by more, keeps its reading).
    const whole = Math.round(rate);
    return { rate: Math.abs(whole - rate) <= 0.02 * rate ? whole : rate, lastedMs };
  }

  /**
   * The successes of requests granted since the last decrease (or since the queue last ran dry),
   * per second over the time since `from` (no earlier than then), or `undefined` where that says
   * nothing of the server's limit: with a learned window (it counts its own limit), sharing a
   * store's rate (the count is this process's), or over less than two seconds.
   * @param now - The current time in ms.
   * @param from - Where the span starts.
   */
  private admittedSince(now: number, from: number): number | undefined {
    const span = now - from;
    if (this.windowMs !== undefined || this.share < ALONE_SHARE || !(span >= 2 * SHORTEST_WINDOW_MS)) return undefined;
    return (this.sustainedSuccesses * 1000) / span;
  }

  /** A decrease to a sustained rate (see {@link sustainedRate}): probing then steps by how long the rate above it lasted. */
  private decreaseToSustained(sustained: SustainedRate, now: number, until = now): void {
    this.lastedOnSavedTokens(sustained.lastedMs);
    this.decrease(sustained.rate, now, true, until);
  }

  /**
   * A rate above the limit lasted `ms` before its refusal: the limit saves tokens (see
   * {@link savesTokens}), and probing steps by that span (see {@link probeSpanMs}).
   * @param ms - How long it lasted.
   */
  private lastedOnSavedTokens(ms: number): void {
    this.memoryMs = Math.min(MAX_LEARNED_WINDOW_MS, Math.ceil(ms));
    this.savesTokens = true;
  }

  /**
   * What the server admitted per second since the last cooldown ended, with requests waiting
   * throughout (`undefined` under two seconds, with a learned window, or shared): the reading a
   * failed probe step falls back to when it is clearly below the level the step started from.
   * Unlike {@link sustainedRate}, it does not need the rate to have stood for a second: a step
   * above a token bucket's rate lasts on the tokens saved during the cooldown, so the level below
   * it "lasted" a second without being sustainable; the count over the whole span since the
   * cooldown holds those tokens only once. A one-second window admits its limit in every second
   * of the span, so there it reads the level itself.
   * @param now - The current time in ms.
   * @param cooledUntil - When the last cooldown before this 429 ended.
   */
  private admittedSinceCooldown(now: number, cooledUntil: number): { readonly rate: number; readonly spanMs: number } | undefined {
    const from = Math.max(this.sustainedFrom, cooledUntil);
    const rate = this.admittedSince(now, from);
    return rate === undefined ? undefined : { rate, spanMs: now - from };
  }

  /**
   * A decrease found a limit with a longer memory (see {@link sustainedRate}): a rate held above
   * it lasts on saved tokens and is then refused, so a later cut at a plateau is that drain, not
   * a limit that dropped, and arms no climb back to the plateau (see {@link throttledAt}).
   */
  private savesTokens = false;

  /**
   * Whether a cut at the held rate is a bucket's saved tokens running out rather than a limit that
   * dropped: kept per second, against a limit found to save tokens, or when what it admitted
   * between the two refusals (see {@link sustainedRate}) is clearly under the held rate.
   */
  private drainedPlateau(sustained: { readonly rate: number } | undefined): boolean {
    if (this.windowMs !== undefined) return false;
    return this.savesTokens || (sustained !== undefined && sustained.rate < DRAINED_RATIO * this.rate);
  }

  /** When the cooldown the handler started for the last 429 ends (see {@link throttledAt}'s `cooldownMs`): nothing is sent at the rate before. */
  private cooldownEndsAt = Number.NEGATIVE_INFINITY;

  /** Since when requests have waited and no decrease came (see {@link sustainedRate}), and the successes of requests granted since. */
  private sustainedFrom = Number.POSITIVE_INFINITY;
  private sustainedSuccesses = 0;

  /**
   * A request of this class got a response that was not throttled.
   * @param now - The current time in ms.
   * @param grantedAt - When that request was granted.
   * @param depth - How many requests of this class were in flight when it was granted, itself included.
   * @returns Whether this answer showed the probe step out now in a burst (see {@link burstProven}),
   *   once per step: the caller wakes its queue, so the next step need not wait for a freed slot.
   */
  succeeded(now: number, grantedAt: number, depth?: number): boolean {
    this.successes.add(now);
    this.lastAnswerAt = now;
    if (grantedAt >= this.sustainedFrom) this.sustainedSuccesses += 1;
    this.lastAnsweredGrantAt = Math.max(this.lastAnsweredGrantAt, grantedAt);
    if (depth !== undefined) this.answeredAtDepth(now, grantedAt, depth);
    if (this.anchorAt !== undefined && grantedAt >= this.anchorAt) this.anchorSuccesses += 1;
    this.earlyCooldown.answered(grantedAt);
    this.lateInBurst(now, grantedAt);
    const pending = this.unresolved;
    if (pending !== undefined && grantedAt > pending.throttledAt) this.resolveShape(now, pending);
    // A request sent after the 429 that taught the window came back: its Retry-After was no understatement.
    if (this.shapeCheck !== undefined && grantedAt > this.shapeCheck.at) this.shapeCheck = undefined;
    this.sampleRoundTrip(now - grantedAt, now);
    if (grantedAt >= this.lastChangeAt) this.validated = true;
    return this.probing && !this.stepShown && this.burstProven(now);
  }

  /**
   * In slow start, how many requests of this class may be in flight: twice what the current rate
   * keeps in flight at the shortest round trip seen (at least 4); sharing a store, this process's
   * share of that (at least 1), since the rate and the overshoot are the fleet's. When the server slows down under
   * the growing load, queued requests count against this at once, so the overshoot before the
   * first 429 comes back stays small. Once steady, the learned concurrency limit, if any (see
   * {@link concurrencyRefusal}); in slow start, the tighter of the two.
   */
  get inFlightCap(): number | undefined {
    // Waiting for the first answer that says the window freed, or whether a 429 was a concurrency
    // refusal: one request at a time asks.
    if (this.unresolved !== undefined || this.suspect !== undefined || this.earlyCooldown.gating) return 1;
    const learned = this.concurrencyCap;
    if (this.phase !== "slow-start") return learned;
    // Sharing a store, the rate is the fleet's and so is the overshoot: each process keeps its
    // share of the fleet's in-flight allowance, or N processes overshoot N times one's.
    const fleetCap = Math.max(SLOW_START_MIN_IN_FLIGHT, (2 * this.rate * (this.minRtt ?? 0)) / 1000);
    const share = this.share >= ALONE_SHARE ? 1 : Math.max(MIN_SHARE, this.share);
    const slowStart = share === 1 ? Math.ceil(fleetCap) : Math.max(1, Math.round(fleetCap * share));
    return learned === undefined ? slowStart : Math.min(learned, slowStart);
  }

  /** The learned limit on requests in flight (a server's concurrency limit), if one was found. */
  get concurrencyLimit(): number | undefined {
    return this.concurrencyCap;
  }

  /**
   * A 429 may be a concurrency refusal rather than a rate one: Graph limits some workloads by
   * requests in flight (Outlook's mailbox concurrency), where waiting out a `Retry-After` and
   * cutting the rate only idles a budget that was never spent. Call it for every 429 before acting
   * on it; `true` means the 429 says nothing about the rate (no cooldown, no {@link throttledAt}).
   *
   * The depth at grant (our requests in flight, itself included) bounds the server's count of them
   * at arrival from above. A 429 at least as deep as any answered request, or at or above a learned
   * cap, is suspect (at the same depth too: an answered depth counted answers still on their way
   * back, whose slots the server had freed, so it may overstate what the server allows by one):
   * the deepest answered depth becomes the candidate cap, and one request at a time goes until an
   * answer tells. A rate limit (sliding or fixed window, token bucket) refuses every
   * request that arrives before its `Retry-After` has passed, so if a request granted after the
   * suspect 429 comes back unthrottled before the suspect's grant time plus its `Retry-After`, less
   * the value's precision (it reached the server before the wait can have run out; for a
   * whole-second 1 s, where nothing is left, before the burst's anchor + 1 s), the refusal was
   * about concurrency and
   * the cap holds; if it gets a 429 too (or is answered later), the suspicion ends, a
   * refused one counts as a rate 429, and no suspicion starts again for a while (doubling each
   * time). Nothing is suspected once a window is learned, nor when no answer could come back in
   * time to prove anything. 429s of requests granted before the suspicion began belong to the
   * refused burst.
   * @param now - The current time in ms.
   * @param grantedAt - When the throttled request was granted.
   * @param depth - Its depth at grant, if known.
   * @param retryAfterMs - The 429's `Retry-After`: a request sent after it has passed proves nothing.
   */
  concurrencyRefusal(now: number, grantedAt: number, depth: number | undefined, retryAfterMs?: number): boolean {
    const suspect = this.suspect;
    if (suspect !== undefined) {
      if (grantedAt <= suspect.at) return this.refusedInBurst(now, grantedAt);
      // Refused after the suspect 429 too: a rate limit.
      this.dropSuspicion(now, suspect, true);
      return false;
    }
    // With a window learned, the rate model explains the key's 429s (and a fixed window that
    // reopens would make any later success look like proof): no suspicion.
    if (depth === undefined || depth < 2 || this.okDepth < 1 || this.windowMs !== undefined || now < this.suspicionPausedUntil) return false;
    const cap = this.concurrencyCap;
    const deeper = depth >= this.okDepth || (cap !== undefined && depth >= cap);
    if (!deeper) return false;
    // 429s of a refused burst after the first: the suspicion (or the cap) already covers them.
    if (cap !== undefined && grantedAt <= this.capSetAt) return this.refusedInBurst(now, grantedAt);
    // The refused request reached the server no earlier than its grant: its Retry-After ran out
    // no earlier than grant + Retry-After, less its precision, whatever the latency (see
    // answeredAtDepth). A whole-second value is rounded up: a 5 s one for a wait of 4.05 s let a
    // sliding window admit again before grant + 5 s, and that success "proved" a cap that was not
    // there (traced: 20–120 ms of latency, the rate then read from one second's successes as 1/s).
    // A 1 s one less its precision leaves nothing: the server's wait may end at once. Taken as it
    // is, a sliding window that freed a slot of a burst sent over the last second "proved" a cap
    // that was not there (traced: 50 per second behind 50–300 ms of latency, a cap of 19 confirmed
    // and then cut by one a second, each second's burst refused 15 times). What bounds the wait
    // then is the burst: one that began in an empty window (the anchor) holds the server's window
    // until a whole window after the anchor at the earliest, and Graph's windows are a second or
    // longer, so an answer before the anchor + 1 s cannot come from a freed slot.
    let until = Number.POSITIVE_INFINITY;
    if (retryAfterMs !== undefined) {
      const waited = surelyWaitedMs(retryAfterMs);
      until = waited > 0 ? grantedAt + waited : (this.anchorAt ?? Number.NEGATIVE_INFINITY) + SHORTEST_WINDOW_MS;
    }
    // No answer can come back in time to prove anything: a rate refusal, judged as one now. (A
    // suspicion that cannot be proved held one request at a time and absorbed the burst's 429s,
    // and slow start went on doubling into a second overshoot.)
    if (until <= now + (this.minRtt ?? 0)) return false;
    this.suspect = { at: now, until, retryAfterMs, cap: Math.max(1, Math.min(this.okDepth, depth - 1)), anchorSuccesses: this.anchorSuccesses };
    return this.refusedInBurst(now, grantedAt);
  }

  /** A suspicion that did not hold: what came back meanwhile is not the burst's, and none starts again for a while. */
  private dropSuspicion(now: number, suspect: Suspect, refuted = false): void {
    this.suspect = undefined;
    if (refuted) this.refutedSuspect = suspect;
    this.anchorSuccesses = suspect.anchorSuccesses;
    this.suspicionPausedUntil = now + this.settings.holdMs * this.suspicionBackoff;
    this.suspicionBackoff = Math.min(8, this.suspicionBackoff * 2);
  }

  private refusedInBurst(now: number, grantedAt: number): true {
    this.throttled += 1;
    this.lastAnswerAt = now;
    this.sampleRoundTrip(now - grantedAt, now);
    return true;
  }

  /** An answer to a request granted at `depth`: the depth works; it may confirm a suspect 429, or let a learned cap grow. */
  private answeredAtDepth(now: number, grantedAt: number, depth: number): void {
    const suspect = this.suspect;
    if (suspect !== undefined && grantedAt > suspect.at) {
      // Sent after the refusal and answered before its Retry-After can have passed (any rate limit
      // would have refused it then): the refusal was about concurrency. Answered later, it proves
      // nothing: it may have reached the server after the window freed (judged by its grant time
      // against the refusal's answer time + Retry-After, an answer delayed on its way back made a
      // window that reopened meanwhile look like proof, and a fleet learned a cap of one).
      if (now >= suspect.until) {
        this.dropSuspicion(now, suspect);
        this.learnSuspectShape(now, suspect);
        return;
      }
      this.suspect = undefined;
      this.concurrencyCap = suspect.cap;
      this.capSetAt = now;
      this.okDepth = suspect.cap;
      return;
    }
    this.okDepth = Math.max(this.okDepth, depth);
    const cap = this.concurrencyCap;
    // The cap was what held requests back and held for a while: the server may allow more now.
    if (cap !== undefined && depth >= cap && now - this.capSetAt >= this.settings.holdMs * this.capHoldFactor) {
      this.concurrencyCap = cap + 1;
      this.capSetAt = now;
      this.capHoldFactor = Math.min(8, this.capHoldFactor * 2);
    }
  }

  /** The smoothed round trip from grant to response, in ms (`undefined` before the first answer). */
  get roundTripMs(): number | undefined {
    return this.srtt;
  }

  /**
   * The increase that is due now, or `undefined`. Apply it with `store.adjustRate` and report the
   * result through {@link changed}.
   * @param now - The current time in ms.
   */
  increaseDue(now: number): RateChange | undefined {
    const s = this.settings;
    const learned = this.learnedRate;
    if (learned !== undefined) {
      this.learnedRate = undefined;
      return this.setRate(learned);
    }
    // Grow only while the pacer is the bottleneck, and only once the current rate has proved
    // itself (a request granted at it came back unthrottled): one step per round trip at most,
    // so a slow server cannot be flooded before its first answer.
    if (!this.demand || !this.validated) return undefined;
    const since = now - this.lastChangeAt;
    if (this.phase === "slow-start") {
      // At least two round trips per doubling: what was sent at the old rate must have come back
      // before the rate grows again, or a slow server gets a flood before its first 429 arrives.
      if (since < Math.max(s.slowStartIntervalMs, 2 * (this.srtt ?? 0)) || this.rate >= s.maxRate) return undefined;
      return { initial: this.rate, onlyIf: this.rate, multiply: 2, min: s.minRate, max: s.maxRate };
    }
    // A step a burst showed is its own pacing: the next goes at once.
    if ((since < s.increaseIntervalMs && !this.stepShown) || this.ceiling === undefined) return undefined;
    // Back toward a level the server admitted before a drop (see climb): probing starts a hold
    // after the drop, and its first step takes back the margin, so there is no slow climb to the margin first.
    if (this.climb !== undefined) {
      if (this.climb.to > this.rate) return this.probeWindow(now, this.probeSpanMs, this.climb.droppedAt);
      this.climb = undefined;
    }
    // A learned window's limit is a count the server admitted, not a reading: hold at it exactly.
    const plateau = this.ceiling * (this.windowMs === undefined && !this.exactCeiling ? s.plateauRatio : 1);
    if (this.rate < plateau * 0.999) {
      this.plateauSince = undefined;
      const gap = plateau - this.rate;
      // Halve the gap each step; close a small one at once.
      const add = gap < plateau * 0.01 ? gap : gap / 2;
      return { initial: this.rate, onlyIf: this.rate, add, min: s.minRate, max: Math.max(s.minRate, Math.min(s.maxRate, plateau)) };
    }
    this.plateauSince ??= now;
    // Without a learned window the limit is kept per second: probe it as a one-second window, so a
    // limit that came back (after a drop) is found within a few seconds, not minutes.
    return this.probeWindow(now, this.probeSpanMs, this.plateauSince);
  }

  /**
   * The window probing steps by: the learned one; while the limit is kept per second, one second,
   * or how long the rate lasted before a limit with a longer memory refused it (see
   * {@link sustainedRate}): a step above a token bucket's rate lasts a second on the tokens it
   * saved, which proves nothing about its rate. Each step that lasts halves it, down to a second.
   */
  private get probeSpanMs(): number {
    return this.windowMs ?? this.memoryMs ?? 1000;
  }

  /** How long a rate above a limit with a longer memory lasted before a refusal (see {@link probeSpanMs}). */
  private memoryMs: number | undefined;

  /**
   * Probing above a learned window's limit, so a limit that grew back is found within a few
   * windows: after holding (`holdMs`, at most two windows, from the last failure), one step per
   * window, of 1, 2, 4, … requests while each step survives its window, or at once after a step a
   * burst showed (see {@link burstProven}; at most a sixteenth of the level), and at most half the
   * gap to the level where a probe failed before. A 429 ends the probe (the limit is re-estimated,
   * no lower than the level that lasted a window or a burst showed), and when the same level failed
   * before, doubles the hold, up to 2×.
   */
  private probeWindow(now: number, windowMs: number, plateauSince: number): RateChange | undefined {
    const s = this.settings;
    const lasted = now - this.lastChangeAt >= windowMs;
    // A search a drop ended starts again (from half the window, as a first one) once the limit
    // it climbed back to held a whole window (the server admits it: the premise of a probe), before
    // any step above it: left too long, the window costs its excess in every window that follows
    // (5.34 s for 5 s: 7% of a run after a halved limit, traced), and a step above it lasts whatever the limit.
    if (this.searchInterrupted && this.climb === undefined && lasted) {
      this.searchInterrupted = false;
      // No lower bound to give: searchWindow starts from half the window.
      this.searchWindow(now, 0);
    }
    // A step above a window learned too long lasts whatever the limit: the search comes first. A
    // step that lasted a window (the last of a climb back to the searched limit) is proven meanwhile.
    if (this.search?.narrowing(now, windowMs, this.window.limit) === true) {
      if (lasted && this.probing) {
        this.probing = false;
        this.provenRate = this.rate;
      }
      return undefined;
    }
    const hold = Math.min(s.holdMs, 2 * windowMs) * this.holdFactor;
    if (s.probeRatio <= 0 || now - plateauSince < hold || (!lasted && !this.burstProven(now))) return undefined;
    // The rate now lasted a whole window without a 429, or a burst showed it: the limit is at least that high.
    if (lasted) this.judgeSmoothTrial(true);
    if (lasted && this.probeStep > 1) {
      this.holdFactor = 1;
      // A step above a longer memory lasted its span: the memory may be shorter than the span that
      // taught it (it also held tokens a bucket had saved), or the budget grew (another process
      // without a shared store left it): the next step waits half as long, down to a second.
      this.memoryMs = this.memoryMs === undefined || this.memoryMs / 2 < SHORTEST_WINDOW_MS ? undefined : this.memoryMs / 2;
    }
    this.provenRate = this.rate;
    // Below the level where a probe failed before, close half the gap at most (at least one request).
    const gap = this.failedRate - this.rate;
    // The first step is `probeRatio` of the limit (at least one request), doubling while steps last.
    const firstStep = Math.max(1, Math.round((s.probeRatio * this.rate * windowMs) / 1000));
    const climb = this.climb;
    // Below a level the server admitted before a drop, the steps start at an eighth of the way back:
    // a limit that comes back is reached within about four windows, not the dozen that steps of
    // one request take from a halved limit. From a deeper drop, at an eighth of the rate now (a
    // window more per doubling): the level may have been a token bucket's first burst, never a
    // rate, and a failed step's overshoot is as many 429s as the requests it added.
    if (climb !== undefined) climb.step ??= Math.min(climb.to - this.rate, this.rate) / CLIMB_STEPS;
    let step = Math.max((firstStep * 1000) / windowMs, climb?.step ?? 0) * this.probeStep;
    // A step shown only by a burst goes at once, all its requests together: at most a sixteenth
    // of the level (at least one request), so the step that finally overshoots is refused a few
    // requests, not a doubling's worth.
    if (!lasted) step = Math.min(step, Math.max(1000 / windowMs, this.rate / BURST_STEP_DIVISOR));
    // A climb back has its own failure rule (see throttledAt), so a step that failed while the limit was still low does not cap the next climb.
    let add = gap > 0 && climb === undefined ? Math.min(step, Math.max(1000 / windowMs, gap / 2)) : step;
    const trial = this.pace;
    if (trial.stage === "scheduled" && trial.level > this.rate && climb === undefined) {
      // Back to the level that failed, at a smooth pace (see pace).
      this.pace = { ...trial, stage: "running" };
      add = trial.level - this.rate;
    } else if (climb !== undefined && add >= climb.to - this.rate) {
      // Back at the former level: above it, probing starts again from the smallest step.
      add = climb.to - this.rate;
      this.climb = undefined;
      this.probeStep = 1;
    } else {
      this.probeStep *= 2;
    }
    this.probing = true;
    this.stepShown = false;
    this.stepRequests = Math.max(1, Math.round((add * windowMs) / 1000));
    this.stepRefusals = 0;
    this.probeFrom = now;
    this.probeUntil = Number.POSITIVE_INFINITY;
    this.probeFailedAt = Number.POSITIVE_INFINITY;
    return { initial: this.rate, onlyIf: this.rate, add, min: s.minRate, max: s.maxRate };
  }

  /**
   * Whether the probe step out now has shown, within a burst, that the server admits its level: the
   * successes of the last second reach the level's count of requests per window. Graph's windows
   * are a second or longer, so a sliding window counted all of them at once, with whatever other
   * traffic shares it, and still admitted the last: the next step may go at once instead of a
   * window later, and a step that then fails falls back no lower than this level (a count over the
   * window, read right after such a climb, still holds the lower level's answers). A limit freed by
   * others (a fleet without a shared store, where a process that finishes leaves its share) is
   * taken up within a few round trips, where steps of one window each took as many windows as
   * doublings. Only with a learned window (a token bucket, kept per second, admits more in a
   * burst than its rate sustains), and only alone or without a shared store (a fleet's shared
   * rate is probed by every process, a window at a time).
   */
  private burstProven(now: number): boolean {
    if (
      !this.stepShown &&
      this.probing &&
      this.windowMs !== undefined &&
      this.share >= ALONE_SHARE &&
      this.successes.countWithin(now, SHORTEST_WINDOW_MS) >= this.window.limit
    ) {
      this.stepShown = true;
    }
    return this.stepShown;
  }

  /** The probe step out now has shown its level in a burst (see {@link burstProven}). */
  private stepShown = false;
  /** Requests the last probe step added to a window, and its 429s taken as its overshoot (see {@link claimProbeOvershoot}). */
  private stepRequests = 1;
  private stepRefusals = 0;

  /**
   * Whether a 429 for a request granted at `grantedAt` is the overshoot of learning: slow start
   * (no limit known yet: it goes on until the first 429), or a request of the burst that already
   * caused a decrease. Such a 429 says nothing about refunds: it would have come without them.
   * @param grantedAt - When the throttled request was granted.
   */
  learningOvershoot(grantedAt: number): boolean {
    return this.phase === "slow-start" || grantedAt <= this.lastDecreaseAt;
  }

  /**
   * Whether a 429 refused a request that asked whether the window had freed: one sent as the
   * `Retry-After` that taught the window ended (the refusal shows that value understated the wait,
   * see {@link retryAfterUnderstated}), or one of those sent one at a time while the window is
   * measured without a trusted `Retry-After` (see {@link resolveShape}). Like a refused window
   * probe's, its slot goes back (checked like every refund), and the 429 is explained: it only says
   * the window has not freed yet. Kept, the slot would free a window later at the refusal's time,
   * mid-window, and recur there out of step with the bursts: each window of a run without
   * `Retry-After` carried four such strays, and its last requests waited for them (4 s of a 25 s
   * run, traced). Ask before {@link throttledAt}.
   * @param grantedAt - When the throttled request was granted.
   */
  refusedAsking(grantedAt: number): boolean {
    if (this.unresolved !== undefined) return this.askingWhileMeasured(grantedAt);
    if (this.earlyCooldown.asking(grantedAt)) return true;
    // As retryAfterUnderstated reads it (a fleet's refusal proves nothing there).
    return this.retryAfterCheckEndedBy(grantedAt) !== undefined && this.share >= ALONE_SHARE;
  }

  /** Whether a request went while the window is measured without a trusted `Retry-After` (after the 429 that started it): one that asks. */
  private askingWhileMeasured(grantedAt: number): boolean {
    const pending = this.unresolved;
    return pending !== undefined && grantedAt > pending.throttledAt;
  }

  /** The check of a window learned from a `Retry-After`, when this request went as that `Retry-After` ended (see {@link retryAfterUnderstated}). */
  private retryAfterCheckEndedBy(grantedAt: number): ShapeCheck | undefined {
    const check = this.shapeCheck;
    // 1 ms of slack: the cooldown of that Retry-After ends at that very time, and grants follow it at once.
    return check !== undefined && grantedAt >= check.retryAfterEndsAt - 1 ? check : undefined;
  }

  /**
   * Whether a 429 for a request granted at `grantedAt` gives its grant back in the store: while
   * sharing a store, a refused request of the burst that is teaching (or taught) the limit (see
   * {@link learningOvershoot}). The server admitted the rest, so what the store then holds of the
   * burst is what the fleet got through (see {@link takeFleetCount}). Ask before {@link throttledAt}.
   * @param grantedAt - When the throttled request was granted.
   */
  refusalGivenBack(grantedAt: number): boolean {
    if (this.share >= ALONE_SHARE) return false;
    // While the burst is to be counted, every refusal of it: a grant the store made just before the
    // burst's cooldown reached it comes back after this process's decrease, and belongs to the burst all the same.
    const counting = this.fleetCount;
    return this.learningOvershoot(grantedAt) || (counting !== undefined && grantedAt >= counting.anchorAt);
  }

  /**
   * Once, after a 429 taught L and W from an anchored burst while sharing a store (or, with no
   * window learned, the limit as the count of the burst's last second): when to count
   * the burst's grants left in the store's window (each process's refused ones given back, see
   * {@link refusalGivenBack}), and from when (`since`: a window before the anchor). This
   * process's successes, divided by its share, only estimate the fleet's, and on the low side (a
   * limit of 96 read for 100 makes a run of five windows' worth take six); the store's count is
   * what the server admitted. The count waits four round trips (at least
   * {@link FLEET_COUNT_MIN_DELAY_MS}) for the burst's other answers and refunds, and is answered
   * only while the burst's cooldown holds (nothing new is granted).
   * `undefined` when there is nothing to count.
   */
  takeFleetCount(): { readonly delayMs: number; readonly since: number } | undefined {
    const pending = this.fleetCount;
    if (pending === undefined || pending.scheduled) return undefined;
    pending.scheduled = true;
    return { delayMs: Math.max(FLEET_COUNT_MIN_DELAY_MS, 4 * (this.srtt ?? 0)), since: pending.since };
  }

  /**
   * The store's count of the burst (see {@link takeFleetCount}): the fleet's limit, held exactly
   * from the next grant. `undefined` (the cooldown ended first, or the store cannot count) or a
   * count below this process's own successes in the burst (the store lost part of it) keeps the
   * estimate.
   * @param count - Grants of the burst left in the store's window.
   */
  fleetCounted(count: number | undefined): void {
    const pending = this.fleetCount;
    this.fleetCount = undefined;
    // A count of the last second while no window is learned (one learned meanwhile, from the store, is not what was counted).
    const w = pending?.perSecond ? (this.windowMs === undefined ? 1000 : undefined) : this.windowMs;
    if (pending === undefined || count === undefined || w === undefined || count < pending.own) return;
    const limit = (count * 1000) / w;
    // The count holds the late answers of the burst too (see burstTail): nothing is left to add.
    this.burstTail = undefined;
    this.ceiling = limit;
    this.learnedRate = limit;
  }

  /**
   * Sharing a store, the fleet's count of an anchored burst replaces the estimate (see
   * {@link takeFleetCount}), if the store still holds all of it: a burst longer than the store
   * kept its grants (the window they were granted in, or slow start's {@link keepMs}) lost its
   * oldest there. Call before the decrease that ends slow start. Counted from a window before the anchor: the
   * store's window was empty then, and another process may have granted a little before the
   * anchor this one read from the store.
   * @param anchorAt - The burst's anchor.
   * @param at - When its first 429 came.
   * @param own - This process's successes in it.
   * @param perSecond - No window is learned: the count is of one second.
   */
  private countFleetBurst(anchorAt: number, at: number, own: number, perSecond: boolean): void {
    const grantedIn = this.window.windowMs;
    // How long the store kept the burst's grants: slow start keeps them longer than its window
    // (see SLOW_START_KEEP_MS); a count of one second needs no more than the second.
    const keptFor = perSecond ? grantedIn : Math.max(grantedIn, this.keepMs ?? 0);
    if (this.share < ALONE_SHARE && at - anchorAt <= keptFor) this.fleetCount = { since: anchorAt - grantedIn, anchorAt, own, scheduled: false, perSecond };
  }

  /**
   * An anchored burst whose grants the store is to count (see {@link takeFleetCount}); `own` is this
   * process's successes in it; `perSecond`: a count of one second while no window is learned.
   */
  private fleetCount: { readonly since: number; readonly anchorAt: number; readonly own: number; scheduled: boolean; readonly perSecond: boolean } | undefined;

  /**
   * Whether a 429 for a request granted at `grantedAt` would be a probe step's overshoot: a probe
   * is out, the request was granted during it (or before the step's overshoot left the server's
   * window), and the step has not yet been refused as many requests as it added. Refusals beyond
   * that are no overshoot of the step: the server is full for another reason (other processes
   * without a shared store overshot it), and the 429 cools the key down as any other, or every
   * request of the level would be refused in turn.
   * @param grantedAt - When the throttled request was granted.
   */
  probeOvershoot(grantedAt: number): boolean {
    return grantedAt >= this.probeFrom && grantedAt < this.probeUntil && this.stepRefusals < this.stepRequests;
  }

  /**
   * {@link probeOvershoot}, and counts the 429 against the step's share when it is one.
   * @param grantedAt - When the throttled request was granted.
   */
  claimProbeOvershoot(grantedAt: number): boolean {
    if (!this.probeOvershoot(grantedAt)) return false;
    this.stepRefusals += 1;
    this.claimedGrant = grantedAt;
    return true;
  }

  /** The grant whose 429 {@link claimProbeOvershoot} took last as a step's overshoot, until {@link throttledAt} reads it. */
  private claimedGrant: number | undefined;

  /**
   * After a failed probe step (kept per second, alone), a 429 of a request sent at the level it fell
   * back to (granted after the failure was known, before the failure's `Retry-After` ran out),
   * beyond the step's overshoot (see {@link probeOvershoot}): a window that admitted that level
   * before the step admits it again once the step's extra requests have left it, so more refusals
   * than the step added say the level did not last either. It had lasted on tokens a bucket saved
   * during a cooldown (a bucket of 10 per second with a burst of 10 held at 14–17 per second, a 429
   * every third request for the second after each failed step, traced). A bucket is empty at a
   * refusal, and it refused at the failure and now with requests waiting throughout: between the
   * two it admitted what it refilled. Returns the successes of requests granted since the failure
   * per second since then, if under the level (the level is cut to it, at most halved: the count is
   * of a fraction of a second), or `undefined` when the rule does not apply (or fewer than two
   * successes came in between).
   * @param now - The current time in ms.
   * @param grantedAt - When the refused request was granted.
   */
  private refilledSinceFailure(now: number, grantedAt: number): number | undefined {
    if (this.windowMs !== undefined || this.share < ALONE_SHARE || this.probing) return undefined;
    // The failure's own decrease is the last one, its Retry-After still runs, and the queue never ran dry since.
    const failedAt = this.probeFailedAt;
    if (this.lastDecreaseAt !== this.probeUntil || !(grantedAt >= failedAt && now < this.probeUntil) || this.sustainedFrom !== failedAt) return undefined;
    const span = now - failedAt;
    // Fewer than two successes in between say nothing of a rate.
    if (!(span > 0) || this.sustainedSuccesses < 2) return undefined;
    const rate = (this.sustainedSuccesses * 1000) / span;
    return rate < this.rate ? Math.max(rate, this.rate / 2) : undefined;
  }

  /**
   * Whether a probe step's 429 (see {@link probeOvershoot}) gives its slot back: only for a request
   * granted during the step itself, before its failure was known. A request granted after that was
   * sent at the level the failure set; were its slot given back too, the next queued request would
   * take it at once and be refused in turn, a 429 per round trip until the overshoot's
   * `Retry-After` had passed (up to one per request in flight).
   * @param grantedAt - When the throttled request was granted.
   */
  probeSlotRefundable(grantedAt: number): boolean {
    return grantedAt >= this.probeFrom && grantedAt < this.probeFailedAt;
  }

  /**
   * Records the rate the store answered after a change.
   * @param rate - The new rate.
   * @param now - The current time in ms.
   */
  changed(rate: number, now: number): void {
    // Requests granted before a lower rate reached the store (a shared one answers in ms) were
    // sent at the old rate: their 429s belong to the burst this decrease answered.
    if (rate < this.rate) this.lastDecreaseAt = Math.max(this.lastDecreaseAt, now);
    this.rate = rate;
    this.lastChangeAt = now;
    this.demand = false;
    this.validated = false;
  }

  /**
   * Records what the store answered to an increase sent with `onlyIf` (see
   * {@link increaseDue}): the new rate, or, when another process changed the rate meanwhile, the
   * rate as it is. A rate below ours then means another process learned a limit: see {@link adopt}.
   * @param rate - The store's answer.
   * @param change - The increase that was sent.
   * @param now - The current time in ms.
   */
  increased(rate: number, change: RateChange, now: number): void {
    if (change.onlyIf !== undefined && lowerRate(rate, change.onlyIf)) this.adopt(rate, now);
    else this.changed(rate, now);
  }

  /**
   * Records a rate read back from the store (another process may have changed it). A rate below
   * ours means another process learned a limit: see {@link adopt}.
   * @param rate - The stored rate, if any.
   * @param windowMs - The stored window, if any.
   * @param now - The current time in ms.
   * @param learned - Some process sharing the store has lowered the rate after a 429 (see `ThrottleStore` key `m:`).
   */
  synced(rate: number | undefined, windowMs?: number, now?: number, learned?: boolean): void {
    // A window shrunk further since this process shrank it with a window probe holds the limit that
    // probe kept: the rate that comes with it may be one another process wrote for a longer window
    // (the store keeps the shortest window, and the rate whoever wrote last).
    const kept = windowMs !== undefined && this.windowMs !== undefined && windowMs < this.windowMs ? this.shrunkLimit : undefined;
    if (windowMs !== undefined && windowMs !== this.windowMs) this.learnWindow(windowMs);
    if (rate !== undefined) {
      // A limit learned elsewhere ends slow start here too: doubling on from the shared rate would
      // overshoot what that process just found.
      if (now !== undefined && kept === undefined && (lowerRate(rate, this.rate) || (learned === true && this.phase === "slow-start"))) this.adopt(rate, now);
      else this.rate = rate;
    }
    if (kept !== undefined && windowMs !== undefined) this.keepLimit(kept, windowMs);
  }

  /** Holds `limit` per `windowMs` exactly from the next grant (through {@link increaseDue}), unless the rate already does. */
  private keepLimit(limit: number, windowMs: number): void {
    const rate = this.holdExactly(limit, windowMs);
    if (!sameRate(rate, this.rate)) this.learnedRate = rate;
  }

  /** The rate that holds `limit` per `windowMs`, made the ceiling (a count, held with no margin). */
  private holdExactly(limit: number, windowMs: number): number {
    const rate = (limit * 1000) / windowMs;
    this.ceiling = rate;
    return rate;
  }

  /**
   * Another process sharing the store lowered the rate: it learned a limit from a 429. The fleet
   * shares one limit, so this process takes the new rate as its own decrease: slow start ends,
   * and the 429s of its requests granted until now belong to the burst that process already
   * answered (counted, but no second cut: each process would cut by its own partial view).
   * @param rate - The lowered rate.
   * @param now - The current time in ms.
   */
  private adopt(rate: number, now: number): void {
    const s = this.settings;
    this.shrunkLimit = undefined;
    if (this.phase === "slow-start" || this.ceiling === undefined || rate < this.ceiling) {
      // Kept as the plateau of that limit: no climb above what the other process set.
      this.ceiling = this.windowMs === undefined && !this.exactCeiling ? rate / s.plateauRatio : rate;
    }
    this.phase = "steady";
    this.plateauSince = undefined;
    this.lastDecreaseAt = Math.max(this.lastDecreaseAt, now);
    this.anchorAt = undefined;
    this.probing = false;
    this.probeStep = 1;
    this.changed(rate, now);
  }

  /**
   * Takes a window learned here or by another process (the store keeps the shortest).
   * @param windowMs - The window, in ms.
   */
  learnWindow(windowMs: number): void {
    if (this.windowMs === undefined || counterBucketMs(windowMs) !== this.successes.bucketMs) this.successes = counterFor(windowMs, this.successes);
    this.windowMs = windowMs;
  }

  /**
   * How long the key cools down for a 429 (call before {@link throttledAt}): what its
   * `Retry-After` asks, or less where {@link EarlyCooldownEnd} shows the server's window freed
   * sooner. Only for the first 429 of a burst anchored in an empty window, with a whole-second
   * `Retry-After` that teaches no window (the burst lasted longer than the value less its
   * rounding: at one-second windows, always), alone (a fleet's window opened with another
   * process's request, and its other members would not ask first); then for the rest of that
   * burst's 429s and the request that asks.
   * @param now - The current time in ms.
   * @param grantedAt - When the throttled request was granted.
   * @param retryAfterMs - The server's `Retry-After`, if readable.
   * @param cooldownMs - The cooldown that `Retry-After` (or the default) asks for.
   */
  cooldownFor(now: number, grantedAt: number, retryAfterMs: number | undefined, cooldownMs: number): number {
    if (retryAfterMs === undefined || cooldownMs !== retryAfterMs || !this.retryAfterTrusted) return cooldownMs;
    const anchorAt = this.anchorAt;
    const precisionMs = retryAfterPrecisionMs(retryAfterMs);
    const teachesNoWindow = anchorAt !== undefined && this.anchorSuccesses > 0 && now - anchorAt > retryAfterMs - precisionMs;
    if (teachesNoWindow && precisionMs === 1000 && this.share >= ALONE_SHARE && this.suspect === undefined && this.windowMs === undefined) {
      return this.earlyCooldown.start(now, anchorAt + this.recentRttMaxMs, retryAfterMs);
    }
    return this.earlyCooldown.cooldownFor(now, grantedAt, cooldownMs, precisionMs);
  }

  /** The early end of an anchored burst's first cooldown (see {@link cooldownFor}). */
  private readonly earlyCooldown = new EarlyCooldownEnd();

  /**
   * A request of this class got a 429. Returns the decrease to apply, or `undefined` when the 429
   * belongs to a burst that already caused one.
   * @param now - The current time in ms.
   * @param grantedAt - When the throttled request was granted.
   * @param retryAfterMs - The server's `Retry-After`, if readable.
   * @param cooldownMs - How long the key cools down for this 429 (nothing is sent at the rate
   *   meanwhile, see {@link sustainedRate}): the `Retry-After`, the handler's default without one,
   *   none for a probe step's overshoot. @default retryAfterMs
   */
  throttledAt(now: number, grantedAt: number, retryAfterMs: number | undefined, cooldownMs = retryAfterMs ?? 0): RateChange | undefined {
    const refusal = this.noteRefusal(now, grantedAt, cooldownMs);
    const undone = this.undoWindowShrink(now, grantedAt, retryAfterMs);
    if (undone !== undefined) return undone;
    if (this.refusalSaysNotYet(now, grantedAt)) return undefined;
    const refilled = refusal.claimed ? undefined : this.refilledSinceFailure(now, grantedAt);
    if (refilled !== undefined) {
      // The level above the bucket's rate lasted from before the step until now.
      this.decreaseToSustained({ rate: refilled, lastedMs: Math.max(SHORTEST_WINDOW_MS, now - this.probeFrom) }, now);
      return this.setRate(refilled);
    }
    if (grantedAt <= this.lastDecreaseAt || this.cooldownUnderstated(grantedAt, refusal.cooledUntil)) return undefined;
    // The Retry-After as a measure of the server's wait, unless it proved to understate it.
    const measure = this.retryAfterTrusted ? retryAfterMs : undefined;
    const shapeLimit = this.learnShapeFrom(now, refusal, measure);
    if (shapeLimit !== undefined) return this.setRate(shapeLimit);
    const failedProbe = this.probing;
    const lengthened = this.lengthenWindow(now, grantedAt, measure, failedProbe);
    if (lengthened !== undefined) return lengthened;
    // Requests granted during the failed step are its overshoot (see probeOvershoot), and so are
    // those granted until the server's window has let the overshoot go (its Retry-After): their
    // 429s neither cool the key down nor cut the limit again.
    const overshootEnds = now + (retryAfterMs ?? 0);
    this.endProbeStep(now, failedProbe, refusal.sustained, overshootEnds);
    const counted = this.countedAtNextSlot(now, measure);
    if (counted !== undefined) return this.decreaseToCount(now, counted, failedProbe, overshootEnds);
    return this.decreaseToReading(now, measure, failedProbe, refusal, overshootEnds);
  }

  /** A change that sets the rate to `rate` (clamped to the settings' bounds). */
  private setRate(rate: number): RateChange {
    return { initial: this.rate, set: rate, min: this.settings.minRate, max: this.settings.maxRate };
  }

  /**
   * What every 429 records before it is judged (see {@link throttledAt}): the answer, its round
   * trip, and the cooldown it starts; and takes what the state held for the burst's first 429 (the
   * claimed probe overshoot, the anchor, the refuted suspicion).
   */
  private noteRefusal(now: number, grantedAt: number, cooldownMs: number): Refusal {
    // Taken as a probe step's overshoot by the handler just before (see claimProbeOvershoot).
    const claimed = this.claimedGrant === grantedAt;
    this.claimedGrant = undefined;
    this.throttled += 1;
    this.lastAnswerAt = now;
    this.sampleRoundTrip(now - grantedAt, now);
    // Read before this 429's own cooldown counts: the rate was sent until now.
    const sustained = this.sustainedRate(now);
    const cooledUntil = this.cooldownEndsAt;
    this.cooldownEndsAt = Math.max(this.cooldownEndsAt, now + cooldownMs);
    const anchorAt = this.anchorAt;
    this.anchorAt = undefined;
    // The burst's first 429, when a suspicion held it back (see refutedSuspect).
    const refuted = this.refutedSuspect;
    this.refutedSuspect = undefined;
    return { claimed, sustained, cooledUntil, anchorAt, refuted };
  }

  /**
   * Any refusal but a probe step's overshoot (or one of a burst that already caused a decrease)
   * ends a window search; one at a window the search shrank undoes the shrink, held exactly (the
   * refused burst's other 429s belong to this one), and the class searches no more. Returns that
   * change, or `undefined` when there was no shrink to undo.
   */
  private undoWindowShrink(now: number, grantedAt: number, retryAfterMs: number | undefined): RateChange | undefined {
    const wasSearching = this.searching;
    const undone =
      this.windowMs === undefined || this.probing || grantedAt <= this.lastDecreaseAt ? undefined : this.search?.refusedOther(now, grantedAt, this.windowMs);
    // Ended with no shrink to undo (a limit that dropped, say): it may start again once the limit holds (see probeWindow).
    if (wasSearching && undone === undefined && !this.searching) this.searchInterrupted = true;
    if (undone === undefined) return undefined;
    this.search = undefined;
    this.searchOff = true;
    // The refusal may show the window longer still than before the shrink (a fixed window: see windowLongerThanLearned).
    const longer = this.windowLongerThanLearned(now, grantedAt, this.retryAfterTrusted ? retryAfterMs : undefined);
    this.lengthened = longer !== undefined && longer > undone ? { from: undone, at: now, until: now + (retryAfterMs ?? 0) } : undefined;
    const rate = this.moveWindowKeepingLimit(Math.max(undone, longer ?? 0), true);
    this.decrease(rate, now, true, now + (retryAfterMs ?? 0));
    return this.setRate(rate);
  }

  /**
   * Whether the 429 only says the window has not freed yet: the request that asked after an early
   * cooldown end (see EarlyCooldownEnd), one sent when a `Retry-After` understated the wait (see
   * {@link retryAfterUnderstated}), or one asking while the window is measured.
   */
  private refusalSaysNotYet(now: number, grantedAt: number): boolean {
    return this.earlyCooldown.asking(grantedAt) || this.retryAfterUnderstated(now, grantedAt) || this.askingWhileMeasured(grantedAt);
  }

  /**
   * The limit an anchored burst's first 429 teaches (see {@link learnAnchoredShape}), if any.
   * With no `Retry-After` to measure the window by, the first success after this 429 will (see
   * resolveShape): that measurement starts here.
   */
  private learnShapeFrom(now: number, refusal: Refusal, measure: number | undefined): number | undefined {
    const { anchorAt, refuted } = refusal;
    if (measure === undefined && anchorAt !== undefined && this.anchorSuccesses > 0 && this.unresolved === undefined) {
      // Graph's windows are a second or longer, so the successes of the last second are all still
      // in the server's window: a lower bound of its limit.
      const limit = this.fleet(now - anchorAt <= 1000 ? this.anchorSuccesses : this.successes.count(now, 1000));
      if (limit > 0) this.unresolved = { anchorAt, limit, throttledAt: now };
    }
    if (anchorAt === undefined) return undefined;
    const first = refuted === undefined ? { at: now, retryAfterMs: measure } : { at: refuted.at, retryAfterMs: this.retryAfterTrusted ? refuted.retryAfterMs : undefined };
    return this.learnAnchoredShape(now, anchorAt, first.at, first.retryAfterMs);
  }

  /**
   * A refusal that shows the learned window too short lengthens it, keeping its limit, and
   * narrows it again from there (see {@link searchWindow}); returns that change. A refusal of the
   * other kind soon after a lengthening says the limit dropped after all (a burst refused whole
   * while the window still held the one before it): the window goes back to what it was.
   */
  private lengthenWindow(now: number, grantedAt: number, measure: number | undefined, failedProbe: boolean): RateChange | undefined {
    const longer = failedProbe ? undefined : this.windowLongerThanLearned(now, grantedAt, measure);
    const lengthened = this.lengthened;
    this.lengthened = undefined;
    // (A longer window is found only with a Retry-After to measure it by.)
    if (longer !== undefined && measure !== undefined) {
      this.lengthened = { from: this.windowMs as number, at: now, until: now + measure };
      const rate = this.moveWindowKeepingLimit(longer, true);
      this.decrease(rate, now, true, now + measure);
      // Known from above again (the Retry-After may be rounded up): narrowed as a learned window is,
      // down to what the refusal proves. The request went no sooner than the old window after the
      // oldest answer, and the server held the oldest for the Retry-After less its precision more.
      // (From the old window instead, a search in a fixed window went below it: an early request
      // lands after the reset once the bursts start a second after it.)
      this.searchWindow(now, longer - retryAfterPrecisionMs(measure));
      return this.setRate(rate);
    }
    if (!failedProbe && lengthened !== undefined && this.windowMs !== undefined && now - lengthened.at <= 2 * this.windowMs) {
      this.moveWindowKeepingLimit(lengthened.from, true);
    }
    return undefined;
  }

  /**
   * A 429 that cuts the rate ends the probe step out, if any, and arms the climb back after a drop.
   * A rate held at its plateau that a 429 cuts (not a probe step, not slow start): the server's
   * limit dropped (or another process took a share of it). Limits that drop often come back, so
   * probing climbs back toward this level in bigger steps (see probeWindow). A failed step says
   * the level has not come back yet: the climb starts again from its first step once the
   * doubled hold (of any failed probe) has passed since the drop; a second failure forgets the level.
   */
  private endProbeStep(now: number, failedProbe: boolean, sustained: SustainedRate | undefined, overshootEnds: number): void {
    if (failedProbe) {
      if (this.climb !== undefined && ++this.climb.failures >= CLIMB_TRIES) this.climb = undefined;
    } else if (this.phase === "steady" && this.plateauSince !== undefined && !this.drainedPlateau(sustained)) {
      this.climb = { to: Math.max(this.climb?.to ?? 0, this.rate), droppedAt: now, step: undefined, failures: 0 };
    }
    if (failedProbe) {
      this.probeUntil = overshootEnds;
      this.probeFailedAt = now;
      // The same level failing again says the limit stands: probe it less often. A step that fails
      // above a level that failed before says less (others sharing the limit may have left since).
      if (this.rate <= this.failedRate) this.holdFactor = Math.min(2, this.holdFactor * 2);
      this.failedRate = this.rate;
      this.judgeSmoothTrial(false);
    }
    this.probing = false;
    this.probeStep = 1;
  }

  /**
   * A decrease to a count of what the server admitted (see {@link countedAtNextSlot}), not a
   * rate reading: enforced as it is, it cannot overshoot (a limit that dropped is found from the
   * first 429, however full the window was when it dropped). The count is a lower bound that
   * answers racing the 429 can make far too low, so one 429 at most halves the limit (a further
   * drop shows as a further 429). A failed probe step falls back no lower than the rate that
   * lasted a whole window before it.
   */
  private decreaseToCount(now: number, counted: number, failedProbe: boolean, overshootEnds: number): RateChange {
    const countedRate = (counted * 1000) / (this.windowMs as number);
    const limit = failedProbe ? this.probeFallback(countedRate) : Math.max(countedRate, this.rate / 2);
    this.decrease(limit, now, false, failedProbe ? overshootEnds : now);
    // The fallback is a level that lasted: the hold before the next probe runs from now.
    if (failedProbe) this.plateauSince = now;
    return this.setRate(Math.min(this.rate, limit));
  }

  /**
   * A decrease to what the server sustained recently, read from the successes. Two readings that
   * never overestimate: the count in the last `lookback` over `lookback` (right when the successes
   * came in one burst, as after slow start) and the rate over the buckets covering it (right in a
   * steady flow, where the first reading misses the partial bucket). With a learned window, the
   * successes in it (a count of what the server admitted in one window).
   */
  private decreaseToReading(now: number, measure: number | undefined, failedProbe: boolean, refusal: Refusal, overshootEnds: number): RateChange {
    const lookback = Math.min(this.successes.spanMs, Math.max(1000, this.windowMs ?? measure ?? 1000));
    const countReading = (this.fleet(this.successes.count(now, lookback)) * 1000) / lookback;
    if (failedProbe) return this.fallBackFromStep(now, countReading, refusal, overshootEnds);
    const { sustained } = refusal;
    const held = this.heldSinceOldest(now, measure);
    const observed =
      held !== undefined ? Math.min(held, countReading) : this.windowMs !== undefined ? countReading : Math.max(countReading, this.fleet(this.successes.ratePerSecond(now, lookback)));
    // What the server sustained recently (never above the rate we were sending at); with no
    // success to go by, halve.
    const reading = observed > 0 ? Math.min(this.rate, observed) : this.rate / 2;
    // A limit with a longer memory (see sustainedRate): what it sustained, counted over seconds, is
    // the rate to keep, held exactly.
    if (sustained !== undefined && sustained.rate < reading) {
      this.decreaseToSustained(sustained, now);
      return this.setRate(sustained.rate);
    }
    // One 429 at most halves a held limit, as a count does: what a burst admitted while others
    // overshot the limit for a moment (a fleet without a shared store) reads far too low.
    const limit = this.windowMs !== undefined ? Math.max(reading, this.rate / 2) : reading;
    // With no window learned, the limit is kept as a count per second. The successes of the last
    // second, read as a count, are what the server admitted in one such second: held exactly, no
    // margin (a margin that rounds the count down costs a whole extra window at the end of a run).
    // A rate read from a steady flow is noisy: it keeps the margins.
    const exact = this.windowMs === undefined && lookback === 1000 && countReading > 0 && reading === countReading;
    this.decrease(limit, now, exact);
    // Sharing a store, that second's count is this process's successes over its share: an estimate,
    // on the low side (39 read for 40 makes five windows' worth take six). The store's count of the
    // burst replaces it, as for a learned window (see takeFleetCount), while the store still holds
    // all of the burst (it began within the second its grants were taken in).
    if (exact && refusal.anchorAt !== undefined) this.countFleetBurst(refusal.anchorAt, now, this.successes.count(now, lookback), true);
    // So is the count of what the server can still hold (see heldSinceOldest): a count, not a rate reading.
    const heldExactly = exact || (held !== undefined && held > 0 && limit === held);
    return this.setRate(heldExactly ? limit : limit * this.settings.decreaseFactor);
  }

  /**
   * Where a failed probe step falls back: to what the server admitted in the last window, counted
   * (a rate read from buckets can read above the limit), held exactly; and no lower than the rate
   * that lasted a whole window before the step. Against a limit that saves tokens, the level the
   * step started from may have lasted on them only (see admittedSinceCooldown).
   */
  private fallBackFromStep(now: number, countReading: number, refusal: Refusal, overshootEnds: number): RateChange {
    const { sustained } = refusal;
    let fallback = this.probeFallback(countReading);
    const toSustained = sustained !== undefined && sustained.rate < fallback;
    const admitted = toSustained || !this.savesTokens ? undefined : this.admittedSinceCooldown(now, refusal.cooledUntil);
    if (admitted !== undefined && admitted.rate < DRAINED_RATIO * fallback) {
      fallback = admitted.rate;
      this.lastedOnSavedTokens(admitted.spanMs);
    }
    if (toSustained) this.decreaseToSustained(sustained, now, overshootEnds);
    else this.decrease(fallback, now, true, overshootEnds);
    this.plateauSince = now;
    return this.setRate(toSustained ? sustained.rate : fallback);
  }

  /**
   * A per-second probe step ended: it lasted, or it failed (see {@link pace}). The first
   * failure (alone, with no window learned, pacing in bursts) schedules the trial; the trial's
   * own outcome settles the pace for good.
   * @param lasted - The step lasted its span; `false`: a 429 failed it.
   */
  private judgeSmoothTrial(lasted: boolean): void {
    const trial = this.pace;
    if (trial.stage === "running") {
      this.pace = { stage: lasted ? "smooth" : "bursts" };
      // The failure was the pace's, not the level's: probing steps on as that step had lasted.
      if (lasted) this.probeStep = Math.max(this.probeStep, trial.probeStep);
      return;
    }
    // Shared, the store's pacer serves every process: one process's pace is not its own to change.
    if (lasted || trial.stage !== "untested" || this.windowMs !== undefined || this.settings.burst <= 1 || this.share < ALONE_SHARE) return;
    this.pace = { stage: "scheduled", level: this.rate, probeStep: this.probeStep };
  }

  /**
   * Where a failed probe step falls back: to what the server admitted, no lower than the rate that
   * lasted a whole window before the step. The step failed, so the server admits less than its
   * level: a reading at or above it is no count of the server's (a window learned longer than the
   * server's holds successes the server already let go), and the proven rate stands. Kept at the
   * failed level, the limit would overshoot again at once, a 429 per freed slot.
   * @param admittedRate - What the server admitted, per second, read from the successes.
   */
  private probeFallback(admittedRate: number): number {
    return admittedRate < this.rate ? Math.max(this.provenRate, admittedRate) : this.provenRate;
  }

  /**
   * Whether this 429 only shows that the last cooldown was too short: kept per second, the rate
   * that the last decrease set is untested (no request granted since came back), and the refused
   * request went as that cooldown ended. The server's wait was longer than its `Retry-After`
   * said (a fixed value, whatever the wait), and the window still holds the burst that was
   * refused. Cutting the rate would read the successes of the last second, where the cooldown
   * sent nothing: a limit of 60 per 2 s with a fixed `Retry-After` of 1 s was cut to under 5 per
   * second. The 429 cools the key down again, and the rate stands until a request sent at it is
   * answered (a limit that dropped meanwhile shows with the next 429).
   * @param grantedAt - When the refused request was granted.
   * @param cooledUntil - When the cooldown before this 429 ended.
   */
  private cooldownUnderstated(grantedAt: number, cooledUntil: number): boolean {
    const untested = this.lastAnsweredGrantAt <= this.lastDecreaseAt;
    return this.windowMs === undefined && this.phase === "steady" && !this.probing && untested && grantedAt >= cooledUntil - 1;
  }

  /** When the latest request that came back unthrottled was granted (see {@link cooldownUnderstated}). */
  private lastAnsweredGrantAt = Number.NEGATIVE_INFINITY;

  /**
   * Whether this 429 shows that the `Retry-After` which taught the window understated the
   * server's wait: the request was sent after that `Retry-After` had passed, and no request sent
   * since that 429 came back. Some servers send a fixed `Retry-After` whatever the real wait (2 s
   * for a window that frees in 5), so the window measured from it is too short, not an upper
   * bound, and the learned limit overshoots every window. Then `Retry-After` no longer measures
   * anything for this class (it still sets the cooldown: the server asked for it), and the window
   * is measured as without one: from the anchor to the first success after this 429, asking one
   * request at a time until then (see {@link resolveShape}); that measure replaces the stored window.
   */
  private retryAfterUnderstated(now: number, grantedAt: number): boolean {
    const check = this.retryAfterCheckEndedBy(grantedAt);
    if (check === undefined) return false;
    this.shapeCheck = undefined;
    // In a fleet sharing the store, other processes' requests fill the window too: a refusal proves nothing.
    if (this.share < ALONE_SHARE) return false;
    this.retryAfterTrusted = false;
    this.replaceWindow = true;
    this.unresolved = { anchorAt: check.anchorAt, limit: check.limit, throttledAt: now };
    return true;
  }

  /** `Retry-After` measures the server's wait (see {@link retryAfterUnderstated}). */
  private retryAfterTrusted = true;
  /** The window last learned from a `Retry-After`, until a request sent after that 429 comes back. */
  private shapeCheck: ShapeCheck | undefined;
  /** The next window learned corrects a wrong one: it replaces the stored window instead of only shortening it. */
  private replaceWindow = false;

  /**
   * Holds at a new estimated limit after a 429 (or a used share of 1 or more): steady from now,
   * one decrease counted, and the 429s of requests granted before `until` taken as part of the
   * same burst.
   * @param limit - The estimated limit (requests per second).
   * @param now - The current time in ms: the server refused here, so a sustained rate counts from here (see {@link sustainedRate}).
   * @param exact - The limit is a count the server admitted (held with no plateau margin).
   * @param until - Until when grants belong to the burst that caused this decrease.
   */
  private decrease(limit: number, now: number, exact: boolean, until = now): void {
    this.shrunkLimit = undefined;
    this.restartSustained(now);
    this.ceiling = Math.max(this.settings.minRate, limit);
    this.exactCeiling = exact;
    this.phase = "steady";
    this.plateauSince = undefined;
    this.lastDecreaseAt = until;
    this.decreases += 1;
  }

  /**
   * A normal response said how much of the server's limit is used (Graph's
   * `x-ms-throttle-limit-percentage`). At 1 or more the rate is cut as for a 429 (limit estimated
   * as rate / share; once per burst) before a 429 comes; below 1 (the server is near its limit)
   * slow start ends at the current rate and probing waits `holdMs` again.
   * @param now - The current time in ms.
   * @param grantedAt - When the request that carried the header was granted.
   * @param usedRatio - The share of the limit used.
   * @returns The decrease to apply, or `undefined`.
   */
  nearLimit(now: number, grantedAt: number, usedRatio: number): RateChange | undefined {
    const s = this.settings;
    this.lastAnswerAt = now;
    if (usedRatio < 1) {
      if (this.phase === "slow-start") {
        this.phase = "steady";
        this.ceiling = this.rate / s.plateauRatio;
        this.exactCeiling = false;
      }
      this.plateauSince = now;
      return undefined;
    }
    if (grantedAt <= this.lastDecreaseAt) return undefined;
    const limit = this.rate / usedRatio;
    this.decrease(Math.min(this.ceiling ?? limit, limit), now, false);
    return this.setRate(limit * s.decreaseFactor);
  }

  /** The ceiling is a count the server admitted in one second (see {@link throttledAt}): no plateau margin. */
  private exactCeiling = false;
  /** The next probe step above a learned window's limit, in requests per window. */
  private probeStep = 1;
  /** Multiplies the hold before probing; doubles after each failed probe. */
  private holdFactor = 1;
  /** A probe step is out (the rate is above what the window last proved). */
  private probing = false;
  /** Grants from `probeFrom` until `probeUntil` were made during the last probe step. */
  private probeFrom = Number.POSITIVE_INFINITY;
  private probeUntil = Number.NEGATIVE_INFINITY;
  /** When the last probe step's failure was learned (see {@link probeSlotRefundable}). */
  private probeFailedAt = Number.POSITIVE_INFINITY;
  /** The rate that lasted a whole window before the current probe step. */
  private provenRate = 0;
  /** The rate at which the last probe step failed. */
  private failedRate = 0;
  /** The climb back toward the rate held before a 429 cut it (a limit that dropped), until probing reaches it again or gives it up. */
  private climb:
    | {
        /** The rate held before the drop. */
        readonly to: number;
        /** When the 429 that cut it came: the hold before climbing back runs from it. */
        readonly droppedAt: number;
        /** The first step back, in requests per second (fixed for the climb once taken). */
        step: number | undefined;
        /** Failed steps of this climb. */
        failures: number;
      }
    | undefined;

  /** The deepest in-flight depth at which a request came back unthrottled. */
  private okDepth = 0;
  /** A learned limit on requests in flight (see {@link concurrencyRefusal}). */
  private concurrencyCap: number | undefined;
  /** When the cap was last set or grown; grants before it belong to the burst that set it. */
  private capSetAt = Number.NEGATIVE_INFINITY;
  /** Multiplies the hold before the cap grows by one; doubles each time it grows. */
  private capHoldFactor = 1;
  /** A 429 suspected to be a concurrency refusal: the candidate cap, and the anchor count to restore if it was not. */
  private suspect: Suspect | undefined;
  /**
   * A suspect 429 that proved to be a rate refusal (the request that asked was refused too), until
   * the next {@link throttledAt} reads it: its time and `Retry-After` are what the burst's first
   * 429 said about the window (the asking request's 429 came later, when the burst already looks
   * longer than its `Retry-After`, and would leave the window unlearned).
   */
  private refutedSuspect: Suspect | undefined;
  /** No new suspicion before this time (a suspicion that proved wrong pauses it). */
  private suspicionPausedUntil = Number.NEGATIVE_INFINITY;
  private suspicionBackoff = 1;

  /** An anchored burst ended in a 429 without `Retry-After`: its limit, waiting for the window. */
  private unresolved: { readonly anchorAt: number; readonly limit: number; readonly throttledAt: number } | undefined;
  /** A rate {@link resolveShape} set, applied by the next {@link increaseDue}. */
  private learnedRate: number | undefined;

  /**
   * A suspicion that proved nothing (the request that asked was answered after the suspect's
   * `Retry-After`, e.g. held back by the burst's own slots) leaves the key rate limited: what the
   * suspect 429 said about the window (its time and `Retry-After`, against the burst's anchor) is
   * learned now, as that 429 would have taught it. Left for the next 429, it would come when the
   * burst already looks longer than its `Retry-After`, and the window would stay unlearned.
   */
  private learnSuspectShape(now: number, suspect: Suspect): void {
    const anchorAt = this.anchorAt;
    if (anchorAt === undefined || !this.retryAfterTrusted) return;
    const limit = this.learnAnchoredShape(now, anchorAt, suspect.at, suspect.retryAfterMs);
    if (limit === undefined) return;
    this.anchorAt = undefined;
    this.learnedRate = limit;
  }

  /**
   * L and W from an anchored burst's first 429 (see {@link anchoredShape}), learned: an exact count
   * in a window known from above, enforced as it is, cannot overshoot. Returns the limit per
   * second, or `undefined` when the evidence is ambiguous (nothing learned).
   * @param now - The current time in ms.
   * @param anchorAt - The burst's anchor.
   * @param at - When that 429 came.
   * @param retryAfterMs - Its `Retry-After`, as a measure of the server's wait.
   */
  private learnAnchoredShape(now: number, anchorAt: number, at: number, retryAfterMs: number | undefined): number | undefined {
    const shape = this.anchoredShape(at, anchorAt, retryAfterMs);
    if (shape === undefined) return undefined;
    this.pendingWindowMs = shape.windowMs;
    this.shapeCheck = { at, anchorAt: shape.anchorAt, limit: shape.limit, retryAfterEndsAt: at + (retryAfterMs as number) };
    this.countFleetBurst(shape.anchorAt, at, this.anchorSuccesses, false);
    this.learnWindow(shape.windowMs);
    // The server still held the anchor at the refusal (at most a round trip before `at`) plus the
    // Retry-After less its precision, and counted it at most a round trip after the anchor.
    this.searchWindow(now, shape.heldUntil - shape.anchorAt - 2 * this.recentRttMaxMs);
    const limit = (shape.limit * 1000) / shape.windowMs;
    this.decrease(limit, now, false);
    // Answers of the burst still on their way count too (see burstTail).
    this.burstTail = { from: shape.anchorAt, grantedBy: at, until: shape.heldUntil, limit: shape.limit, windowMs: shape.windowMs };
    return limit;
  }

  /**
   * The first success of a request sent after an anchored burst's 429 without `Retry-After`: some
   * request counted in the full window has left it by now, and it was sent at or after the anchor,
   * so the window is at most now − anchor. The burst's limit in that window cannot overshoot.
   */
  private resolveShape(now: number, pending: { readonly anchorAt: number; readonly limit: number }): void {
    this.unresolved = undefined;
    const windowMs = Math.max(1000, Math.min(MAX_LEARNED_WINDOW_MS, Math.ceil(now - pending.anchorAt)));
    const limit = (pending.limit * 1000) / windowMs;
    this.pendingWindowMs = windowMs;
    this.learnWindow(windowMs);
    // Measured from requests that ask a cooldown apart (a Retry-After that understates the wait, or
    // none): nothing bounds it from below but the burst, and the search starts from half of it.
    this.searchWindow(now, windowMs / 2);
    this.ceiling = Math.max(this.settings.minRate, limit);
    this.phase = "steady";
    this.plateauSince = undefined;
    this.learnedRate = limit;
  }

  /**
   * The anchored burst whose first 429 taught L and W, while its other answers may still come:
   * a request granted in it before that 429 arrived that succeeds later was admitted by the
   * server in the same window (its oldest request has not left before `until`), so L was counted
   * short by one. Answers overtake each other on a loaded machine: a fast 429 can beat slower
   * successes granted before it.
   */
  private burstTail:
    | { readonly from: number; readonly grantedBy: number; readonly until: number; limit: number; readonly windowMs: number }
    | undefined;

  /** A success that may belong to the burst that taught the window (see {@link burstTail}): L grows by it. */
  private lateInBurst(now: number, grantedAt: number): void {
    const tail = this.burstTail;
    if (tail === undefined) return;
    if (now > tail.until || this.windowMs !== tail.windowMs) {
      this.burstTail = undefined;
      return;
    }
    if (grantedAt < tail.from || grantedAt > tail.grantedBy) return;
    // One each, not over this process's share: a correction of a count, kept on the safe side.
    tail.limit += 1;
    const limit = (tail.limit * 1000) / tail.windowMs;
    if (this.ceiling !== undefined && limit <= this.ceiling) return;
    this.ceiling = limit;
    this.learnedRate = limit;
  }

  /**
   * The narrowing of a window learned only from above (see {@link WindowSearch}), alone only: a
   * fleet's window holds other processes' requests, and an early answer proves nothing there.
   */
  private search: WindowSearch | undefined;
  /** The window a 429 lengthened (see {@link windowLongerThanLearned}) and when: undone by a refusal of the other kind within two windows. */
  private lengthened: { readonly from: number; readonly at: number; readonly until: number } | undefined;
  /**
   * Whether the 429 taken at `now` lengthened the learned window (see
   * {@link windowLongerThanLearned}): the server still held the requests the window had admitted,
   * which explains the refusal without any slot given back.
   * @param now - When the 429 was taken.
   */
  lengthenedWindowAt(now: number): boolean {
    return this.lengthened?.at === now;
  }

  /**
   * Whether a 429 is of the burst refused at a window found too short (see
   * {@link windowLongerThanLearned}): granted before that 429's wait ended, and answered by then.
   * The server refused it because it still held the window's admitted requests, so its slot may be
   * given back, as a refused probe's is (checked like every refund); kept, it would hold a slot
   * of the next window at the refusal's time, away from the burst the window's slots free for.
   * @param now - The current time in ms.
   * @param grantedAt - When the refused request was granted.
   */
  refusedAtShortWindow(now: number, grantedAt: number): boolean {
    const lengthened = this.lengthened;
    return lengthened !== undefined && grantedAt <= lengthened.until && now <= lengthened.until;
  }

  /** A shrink the search made was undone by a 429: no search again for this class. */
  private searchOff = false;
  /**
   * A 429 of another kind ended the search before it met its bounds, shrinking nothing (a limit
   * that dropped): the window is still known only from above, and a new search starts once the
   * limit held (see {@link probeWindow}).
   */
  private searchInterrupted = false;

  /** A window search is under way (see {@link windowProbeMs}). */
  get searching(): boolean {
    return this.search !== undefined && !this.search.done;
  }

  /**
   * Starts narrowing the window just learned, from a lower bound of it (at least half of it). Alone,
   * probes go ahead of this process's window; sharing a store, ahead of the store's (see
   * {@link windowProbeMs}).
   */
  private searchWindow(now: number, lowMs: number): void {
    const w = this.windowMs;
    if (this.searchOff || w === undefined) return;
    this.search = new WindowSearch(Math.min(w, Math.max(w / 2, lowMs)), now);
  }

  /**
   * Whether one request may go ahead of the learned window as a window probe, and at what window
   * length (see {@link WindowSearch}): the window is known only from above, the limit is the one
   * learned with it, and nothing else is being learned (steady, no probe step, no suspicion, no
   * measure, no count, no check of the `Retry-After` pending). The caller sends it only when the
   * window is full of answered requests and nothing is in flight, and reports its grant
   * ({@link windowProbeSent}) and its answer ({@link windowProbeAnswered}).
   *
   * Sharing a store with other processes (`shared`), the window that is full is the store's, which
   * holds the whole fleet's grants (answered ones at their answer time, refused ones given back);
   * the caller reads the oldest of them from the store's refusal, and the store grants the probe at
   * the shorter window to one process only. Alone, it is this process's own; each asks only in its case.
   * @param now - The current time in ms.
   * @param shared - Asked for a probe ahead of the store's window (a fleet), not this process's own.
   * @returns The window length to try, in ms, or `undefined` for no probe now.
   */
  windowProbeMs(now: number, shared = false): number | undefined {
    const search = this.search;
    const w = this.windowMs;
    if (search === undefined || w === undefined) return undefined;
    if (this.phase !== "steady" || this.probing || (this.share < ALONE_SHARE) !== shared || this.suspect !== undefined || this.unresolved !== undefined) return undefined;
    if (this.learnedRate !== undefined || this.burstTail !== undefined || this.shapeCheck !== undefined || this.fleetCount !== undefined) return undefined;
    return search.probeWindowMs(now, w, this.window.limit, toleranceMs(w, this.recentRttMaxMs));
  }

  /**
   * A window probe was granted (see {@link windowProbeMs}).
   * @param at - Its grant time.
   * @param blockedBy - The answer time of the oldest request in the window, which it went ahead of.
   */
  windowProbeSent(at: number, blockedBy: number): void {
    this.search?.sent(at, blockedBy);
  }

  /**
   * The window probe's answer: answered (a status below 500 other than 429) shortens the window
   * (the limit stays the same count: the rate rises with it, from the next grant); refused (429)
   * raises the lower bound, and nothing else about it is learned (no cooldown, no decrease); a
   * fault, or no answer at all, says nothing.
   * @param now - The current time in ms.
   * @param status - The HTTP status (`undefined`: no response).
   */
  windowProbeAnswered(now: number, status: number | undefined): void {
    const search = this.search;
    const w = this.windowMs;
    if (search === undefined || w === undefined) return;
    if (status === 429) {
      search.refused(w);
      return;
    }
    if (status === undefined || status >= 500) {
      search.lost();
      return;
    }
    const next = search.answered(now, w, this.recentRttMaxMs);
    if (next === undefined) return;
    // The same limit in the shorter window: its rate is set once the store answered which window
    // it keeps (see windowStored). A new level: the hold before probing above it starts again.
    this.keptLimit = this.window.limit;
    this.moveWindowKeepingLimit(next, false);
    this.plateauSince = undefined;
  }

  /** The limit a window probe's shrink keeps, until the store answered the window (see {@link windowStored}). */
  private keptLimit: number | undefined;

  /**
   * The store answered a window change of this class (see {@link takeWindowChange}) with the window
   * it keeps: the shortest any process sharing it learned. After a window probe's shrink, the limit
   * is held exactly at that window, by the returned change, for the store at once: the rate is what
   * the store shares, so processes that shrank the window to different lengths at once would
   * otherwise pair one's window with another's rate (written later, for a longer window), and the
   * fleet's limit would read a request or three short (98 for 100 in a trace; 87 for 90 in a test),
   * a whole window more at the end of a run. Sent right after the window, the rates reach the store
   * in the order the windows did, and the last is for the shortest.
   * @param windowMs - The window the store keeps.
   * @returns The rate to set in the store, or `undefined` when no shrink's limit is to be kept.
   */
  windowStored(windowMs: number): RateChange | undefined {
    const limit = this.keptLimit;
    this.keptLimit = undefined;
    this.synced(undefined, windowMs);
    if (limit === undefined || this.windowMs === undefined) return undefined;
    this.shrunkLimit = limit;
    return this.setRate(this.holdExactly(limit, this.windowMs));
  }

  /** The limit the last window probe's shrink kept, until a 429 changes what is known (see {@link synced}). */
  private shrunkLimit: number | undefined;

  /**
   * Moves the learned window to `windowMs` (for the store too: shortening it, or, with `replace`,
   * replacing it) and returns the rate that keeps the same limit per window in it.
   */
  private moveWindowKeepingLimit(windowMs: number, replace: boolean): number {
    const limit = this.window.limit;
    this.pendingWindowMs = windowMs;
    if (replace) this.replaceWindow = true;
    this.learnWindow(windowMs);
    return (limit * 1000) / windowMs;
  }

  /** A window learned by the last 429 or answer, for the store (taken once by {@link takeWindowChange}). */
  private pendingWindowMs: number | undefined;

  /**
   * The window the last answer taught, once, as the change to apply to the stored window: the
   * store keeps the shortest window any process learned (each is an upper bound of the server's),
   * unless this one corrects a window that proved too short (see {@link retryAfterUnderstated}),
   * which it replaces. `undefined` when nothing was learned.
   */
  takeWindowChange(): RateChange | undefined {
    const w = this.pendingWindowMs;
    if (w === undefined) return undefined;
    this.pendingWindowMs = undefined;
    if (!this.replaceWindow) return { initial: w, min: 1, max: w };
    this.replaceWindow = false;
    return { initial: w, set: w, min: 1, max: MAX_LEARNED_WINDOW_MS };
  }

  /**
   * Whether a 429 shows the window longer than learned, with the same limit, rather than a lower
   * limit. The request went at a slot the learned window had freed; nothing granted in the last half
   * window was admitted; and the window that freed the slot held (nearly) the whole learned limit.
   * So the server admitted that limit within it and still holds those requests. A fixed window
   * teaches this: the anchored burst's 429 measures the time to the window's end, shorter than the
   * window, and the first burst after the reset fills the next one. A limit that dropped admits some
   * of the fresh requests first (and a drop of a tenth or less is slowed just as well by a longer
   * window). Returns the least window under which this request would not have gone before the
   * server's wait ends: the learned one plus the refused request's round trip and its
   * `Retry-After` (an upper bound: a whole-second value is rounded up), or `undefined`.
   * @param now - The current time in ms.
   * @param grantedAt - When the refused request was granted.
   * @param retryAfterMs - The trusted `Retry-After`, if any.
   */
  private windowLongerThanLearned(now: number, grantedAt: number, retryAfterMs: number | undefined): number | undefined {
    const w = this.windowMs;
    if (w === undefined || retryAfterMs === undefined || this.phase !== "steady" || this.share < ALONE_SHARE) return undefined;
    const limit = this.window.limit;
    // Granted at a slot the window had freed (counted in whole buckets: never more than it held),
    // and the window that freed it full: its oldest answer left just before the grant, so the span
    // counted reaches two buckets (4% of the window) and a round trip further back.
    if (this.successes.countWithin(grantedAt, w) >= limit) return undefined;
    // Nothing granted in the last half window was admitted: the window still holding the earlier
    // requests explains that; a limit that dropped admits some of the fresh ones first.
    if (this.lastAnsweredGrantAt > grantedAt - w / 2) return undefined;
    const span = now - grantedAt + w + this.recentRttMaxMs + 2 * this.successes.bucketMs;
    if (this.successes.count(now, span) < FULL_WINDOW * limit) return undefined;
    return Math.min(MAX_LEARNED_WINDOW_MS, Math.ceil(w + (now - grantedAt) + retryAfterMs));
  }

  /**
   * With a learned window and a `Retry-After` to measure by, the successes that can still be in the
   * server's window, as a rate per learned window: the oldest request it still counts leaves when
   * the `Retry-After` runs out (no sooner than that less its precision), so it was counted no
   * earlier than that less the window (W is an upper bound of the server's), and every request the
   * server still counts was answered since. Older successes are not the server's to count: read
   * with them, a limit that dropped soon after a burst read high (66 per window where the halved
   * server admitted 50, in a traced run: the burst's end was still within the learned window), and
   * the next window was refused again.
   *
   * Read so only for a limit that dropped (the learned window held less than its limit: one that
   * held it all was learned wrong, which the other rules read; read so, the matrix's concurrency
   * row took 25 429s where it took 3), and only when those successes came after a silence (none in
   * the second, at most, before them): the `Retry-After` places the oldest request the server
   * counts, whoever sent it, so while other processes send into the same limit without a shared
   * store (spreading our share over the whole window), the count since then is only part of our
   * share, and cut the fleet's limits too deep (1.39–2.33× ideal where 1.12–1.41× before, in the
   * matrix's fleet row). `undefined` without a window or a `Retry-After`, when the `Retry-After`
   * leaves less than a counter bucket of the window (the learned window is then too short to say
   * anything), for a window that held its limit, or without the silence.
   */
  private heldSinceOldest(now: number, retryAfterMs: number | undefined): number | undefined {
    const w = this.windowMs;
    if (w === undefined || retryAfterMs === undefined) return undefined;
    const span = w - surelyWaitedMs(retryAfterMs);
    if (span >= w || span < this.successes.bucketMs) return undefined;
    if (this.fleet(this.successes.count(now, w)) >= this.window.limit) return undefined;
    // Every bucket the span touches: an event in it may be one the server holds (a count never read low).
    const held = this.successes.countCovering(now, span);
    if (this.successes.countCovering(now, span + Math.min(w - span, 1000)) !== held) return undefined;
    return (this.fleet(held) * 1000) / w;
  }

  /**
   * With the window known, the limit the `Retry-After` implies: when the server's next slot frees
   * (now + Retry-After) it still holds our successes of the last W − Retry-After, and admits one
   * more. Counted one bucket short, so it never overestimates; `undefined` without a window or a
   * precise `Retry-After` of at most half a window.
   */
  private countedAtNextSlot(now: number, retryAfterMs: number | undefined): number | undefined {
    const w = this.windowMs;
    // A wait of more than half a window says little: the requests that free the next slot may
    // have arrived together with many others (a burst), all leaving at once.
    // A whole-second value (rounded up by up to a second) is too coarse for a count.
    if (w === undefined || retryAfterMs === undefined || retryAfterMs > w / 2 || retryAfterMs % 1000 === 0) return undefined;
    const span = w - retryAfterMs - this.successes.bucketMs;
    return span <= 0 ? 1 : this.fleet(this.successes.count(now, span)) + 1;
  }

  /**
   * L and W from an anchored burst, or `undefined` when the evidence is ambiguous: the burst lasted
   * longer than the `Retry-After` can vouch for (some successes may have left the window), no
   * `Retry-After`, or no success. `heldUntil` is how long the server surely still holds the burst's
   * first request: the `Retry-After` less its precision.
   */
  private anchoredShape(
    now: number,
    anchorAt: number,
    retryAfterMs: number | undefined,
  ): { limit: number; windowMs: number; anchorAt: number; heldUntil: number } | undefined {
    if (retryAfterMs === undefined || this.anchorSuccesses === 0) return undefined;
    // A whole-second Retry-After may be rounded up by up to a second: the server's own wait, and so
    // its window, may be that much shorter.
    const waited = surelyWaitedMs(retryAfterMs);
    if (now - anchorAt > waited) return undefined;
    const measured = Math.min(MAX_LEARNED_WINDOW_MS, Math.ceil(now + retryAfterMs - anchorAt));
    return { limit: this.fleet(this.anchorSuccesses), windowMs: Math.min(measured, this.windowMs ?? measured), anchorAt, heldUntil: now + waited };
  }

  private sampleRoundTrip(ms: number, now: number): void {
    if (!(ms >= 0)) return;
    this.minRtt = this.minRtt === undefined ? ms : Math.min(this.minRtt, ms);
    this.srtt = this.srtt === undefined ? ms : this.srtt * 0.8 + ms * 0.2;
    const peak = this.rttPeak;
    if (now - peak.since >= (this.windowMs ?? 1000)) {
      peak.previous = peak.current;
      peak.current = 0;
      peak.since = now;
    }
    peak.current = Math.max(peak.current, ms);
  }

  /** The longest round trip of the current and the last window (two windows' worth, at least one). */
  private readonly rttPeak = { current: 0, previous: 0, since: Number.NEGATIVE_INFINITY };

  /** The longest recent round trip (see {@link rttPeak}), ms. */
  private get recentRttMaxMs(): number {
    return Math.max(this.rttPeak.current, this.rttPeak.previous);
  }
}

/** Buckets of a success counter: it spans two windows. */
const COUNTER_BUCKETS = 100;

/**
 * How much a `Retry-After` may overstate the server's wait: a whole-second value may be rounded up
 * by up to a second, a fractional one by a millisecond.
 */
function retryAfterPrecisionMs(retryAfterMs: number): number {
  return retryAfterMs % 1000 === 0 ? 1000 : 1;
}

/** The least the server's wait after a refusal with this `Retry-After` can be: the value less its precision. */
function surelyWaitedMs(retryAfterMs: number): number {
  return retryAfterMs - retryAfterPrecisionMs(retryAfterMs);
}

/** A success counter's bucket for a window: 1/50 of it. */
function counterBucketMs(windowMs: number): number {
  return Math.max(1, Math.ceil(windowMs / 50));
}

/** A counter that spans two windows (see {@link counterBucketMs}), holding `from`'s events when given. */
function counterFor(windowMs: number, from?: RecentCounter): RecentCounter {
  const bucketMs = counterBucketMs(windowMs);
  return from === undefined ? new RecentCounter(bucketMs, COUNTER_BUCKETS) : from.resized(bucketMs, COUNTER_BUCKETS);
}

/** A rate a limit with a longer memory sustained, and how long the rate above it lasted (see `AdaptiveRate.sustainedRate`). */
interface SustainedRate {
  readonly rate: number;
  readonly lastedMs: number;
}

/** What a 429 took from the state before it is judged (see `AdaptiveRate.noteRefusal`). */
interface Refusal {
  /** The handler took it as a probe step's overshoot just before (see `AdaptiveRate.claimProbeOvershoot`). */
  readonly claimed: boolean;
  /** What the server sustained until this 429 (see `AdaptiveRate.sustainedRate`). */
  readonly sustained: SustainedRate | undefined;
  /** When the cooldown before this 429 ended. */
  readonly cooledUntil: number;
  /** Where the refused burst began, when it was anchored in an empty window. */
  readonly anchorAt: number | undefined;
  /** The burst's first 429, when a suspicion held it back (see `AdaptiveRate.refutedSuspect`). */
  readonly refuted: Suspect | undefined;
}

/** A 429 suspected to be a concurrency refusal (see `AdaptiveRate.concurrencyRefusal`). */
interface Suspect {
  /** When it came. */
  readonly at: number;
  /**
   * Until when an answer to a request granted after it proves a concurrency limit: its grant +
   * `Retry-After` (less its precision, see `surelyWaitedMs`); for a whole-second 1 s, its burst's
   * anchor + 1 s.
   */
  readonly until: number;
  /** Its `Retry-After`, if readable. */
  readonly retryAfterMs: number | undefined;
  /** The candidate cap. */
  readonly cap: number;
  /** The anchor count to restore if it was no concurrency refusal. */
  readonly anchorSuccesses: number;
}

/** Where the smooth trial of the pace stands (see `AdaptiveRate.pace`). */
type PaceTrial =
  | { readonly stage: "untested" | "smooth" | "bursts" }
  /** The level of the failed step, and the probe step it had reached. */
  | { readonly stage: "scheduled" | "running"; readonly level: number; readonly probeStep: number };
