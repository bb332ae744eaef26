import type { SoftwareUpdateStatusSummary } from "@microsoft/microsoft-graph-types";

/** A request class the emulator's limits count. */
export type EmulatorRequestClass = "write" | "any";

/** How a rate limit counts: an exact sliding window, a fixed window reset at its boundaries, or a token bucket. */
export type EmulatorLimitAlgorithm = "sliding-window" | "fixed-window" | "token-bucket";

/**
 * How a limit writes `Retry-After` on its `429`: whole seconds rounded up, exact fractional seconds,
 * an HTTP-date, no header at all, or the same number of seconds whatever the real wait.
 */
export type EmulatorRetryAfter = "seconds" | "fractional-seconds" | "http-date" | "none" | { readonly fixedSeconds: number };

/** One phase of a limit's schedule: from `fromMs` until `untilMs` after the limits took effect, the limit is `limit`. */
export interface EmulatorLimitPhase {
  /** Start of the phase, in milliseconds after start, `reset()` or `setLimits()`, before `timeScale` applies. */
  readonly fromMs: number;
  /** End of the phase (exclusive), on the same clock. @default Infinity */
  readonly untilMs?: number;
  /** The limit during the phase (for a token bucket: the refill per window; an unset `burst` follows it). */
  readonly limit: number;
}

/** Headers a limit adds to normal answers once its use reaches `threshold`, as real services do near a limit. */
export interface EmulatorNearLimitHeaders {
  /** IETF draft `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset` (whole seconds until the full quota is back), as SharePoint sends. @default false */
  readonly rateLimit?: boolean;
  /** Graph's `x-ms-throttle-limit-percentage`: the share of the limit used (e.g. `0.85`). @default false */
  readonly throttleLimitPercentage?: boolean;
  /** The share of the limit used from which the headers are sent. @default 0.8 */
  readonly threshold?: number;
}

/** What every emulator limit has: a name, the requests it counts (its route class) and its scope. */
export interface EmulatorLimitCommon {
  /** A name shown in stats (`throttledBy`, `limits`) and in the `x-emulator-throttled-by` header of a 429 (the body keeps Graph's documented shape). Unique in a list. */
  readonly name: string;
  /** Which requests count: writes (POST, PUT, PATCH, DELETE) or any request. */
  readonly requests: EmulatorRequestClass;
  /** Only requests whose path starts with this (case-insensitive, version included, e.g. `/beta/deviceManagement`). @default every path */
  readonly path?: string;
  /**
   * Counted per tenant (all apps together), per app per tenant, or per app across all tenants
   * (`"app-all-tenants"`: Graph's global limit, 130,000 requests per 10 s per app).
   */
  readonly scope: "tenant" | "app" | "app-all-tenants";
  /** Requests allowed: per window, per refill window (token bucket) or in flight (concurrency). */
  readonly limit: number;
  /** How this limit's `429` writes `Retry-After`. @default the emulator's `retryAfterFormat` */
  readonly retryAfter?: EmulatorRetryAfter;
  /** Phases that change `limit` for a while; a later phase wins where phases overlap. @default [] */
  readonly schedule?: readonly EmulatorLimitPhase[];
}

/** A rate limit: at most `limit` requests per `windowMs` per `scope`, counted by `algorithm`. */
export interface EmulatorRateLimit extends EmulatorLimitCommon {
  /**
   * `"sliding-window"`: at most `limit` in any span of `windowMs`. `"fixed-window"`: at most `limit`
   * per window, windows aligned to the epoch and reset at their boundary (so up to 2 × limit across one).
   * `"token-bucket"`: `limit` tokens refill per `windowMs`, smoothly, up to `burst`. @default "sliding-window"
   */
  readonly algorithm?: EmulatorLimitAlgorithm;
  /** The window in milliseconds, before `timeScale` applies. */
  readonly windowMs: number;
  /** Token bucket only: the bucket's capacity (it starts full). @default limit */
  readonly burst?: number;
  /** Whether a refused (`429`) request counts against this limit too, as SharePoint counts them. @default false */
  readonly countThrottled?: boolean;
  /** Whether a request answered by a fault (`503`, `504`, reset, hang) counts against this limit. @default false */
  readonly countFaulted?: boolean;
  /** Headers sent on normal answers near this limit. @default none */
  readonly nearLimitHeaders?: EmulatorNearLimitHeaders;
}

/**
 * A concurrency limit: at most `limit` requests in flight (from arrival, added latency included,
 * until the answer ends) per `scope`; more get `429`. The wait it reports is 1 s before `timeScale`.
 */
export interface EmulatorConcurrencyLimit extends EmulatorLimitCommon {
  /** Marks a concurrency limit. */
  readonly algorithm: "concurrency";
}

/** One throttling rule of the emulator: a rate limit (sliding window by default) or a concurrency limit. */
export type EmulatorLimit = EmulatorRateLimit | EmulatorConcurrencyLimit;

/** Seeded fault injection. Shares are probabilities in 0..1, drawn per request from the seeded PRNG. */
export interface EmulatorFaults {
  /** Seed of the PRNG, so a run repeats. @default 1 */
  readonly seed?: number;
  /** Share of requests answered `503` with a `Retry-After`. @default 0 */
  readonly unavailableWithRetryAfter?: number;
  /** `Retry-After` seconds sent with those `503`s, written in the emulator's `retryAfterFormat`. @default 1 */
  readonly unavailableRetryAfterSeconds?: number;
  /** Share of requests answered `503` with no `Retry-After`. @default 0 */
  readonly unavailable?: number;
  /** Share of requests answered `504` (never with `Retry-After`). @default 0 */
  readonly gatewayTimeout?: number;
  /** Share of requests whose connection is reset before any response. @default 0 */
  readonly connectionReset?: number;
  /** Share of requests that never get an answer (until the emulator closes); they are never applied. @default 0 */
  readonly hang?: number;
  /**
   * Share of requests served normally (a PATCH is applied) whose answer then stalls: the status
   * and headers are sent, the body never is (until the emulator closes). @default 0
   */
  readonly stallAfterHeaders?: number;
  /**
   * Share of requests served normally whose answer body arrives a few bytes at a time
   * (`trickleChunkBytes` every `trickleIntervalMs`). @default 0
   */
  readonly slowTrickle?: number;
  /** Bytes per write of a `slowTrickle` body. @default 8 */
  readonly trickleChunkBytes?: number;
  /** Milliseconds between the writes of a `slowTrickle` body. @default 50 */
  readonly trickleIntervalMs?: number;
  /**
   * Share of requests whose operation runs `lateApplyMs` after admission: a PATCH is applied then
   * (and answered, if the client is still connected) even when the client gave up and went away,
   * as a Graph back end may finish a write whose caller timed out. @default 0
   */
  readonly lateApply?: number;
  /** The delay of `lateApply` requests between admission and their operation, in milliseconds. @default 1000 */
  readonly lateApplyMs?: number;
  /**
   * Latency added to every request before it is handled, fixed or uniform in [min, max]
   * milliseconds. A request whose client went away during it is dropped, never applied. @default 0
   */
  readonly latencyMs?: number | { readonly min: number; readonly max: number };
  /** Which requests faults apply to. @default "all" */
  readonly appliesTo?: "all" | "writes";
}

/** How the emulator answers browsers (CORS). */
export interface EmulatorCors {
  /** The `Access-Control-Allow-Origin` value: `"*"` or one origin such as `"http://127.0.0.1:8080"`. @default "*" */
  readonly allowOrigin?: string;
  /**
   * The response headers a browser may read (`Access-Control-Expose-Headers`). Like Graph, the
   * default leaves out `Retry-After`; add it to test a client that can read it.
   * @default ["request-id", "client-request-id", "x-ms-ags-diagnostic", "Date", "WWW-Authenticate"]
   */
  readonly exposeHeaders?: readonly string[];
}

/** Options of {@link startGraphEmulator}. */
export interface GraphEmulatorOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Serve HTTPS with a certificate generated at start (trusted only through `fetchOptions`), or plain HTTP. @default "https" */
  readonly protocol?: "https" | "http";
  /** Throttling rules, or `false` for none; replaceable at run time with `setLimits`. @default INTUNE_DEVICE_CONFIGURATION_LIMITS */
  readonly limits?: readonly EmulatorLimit[] | false;
  /** Multiplies every window (0.05 turns 20 s into 1 s). @default 1 */
  readonly timeScale?: number;
  /** How `Retry-After` is written on 429 (unless the limit has its own `retryAfter`): whole seconds (rounded up), fractional seconds, or an HTTP-date. @default "seconds" */
  readonly retryAfterFormat?: "seconds" | "fractional-seconds" | "http-date";
  /**
   * How far the emulator's wall clock runs ahead of this host's (negative: behind), in ms. It
   * writes the `Date` header and HTTP-date `Retry-After`s on that clock, as a server with a skewed
   * clock would, so a client must read such a date against `Date`, not its own clock.
   * @default 0
   */
  readonly clockSkewMs?: number;
  /** Status of a successful PATCH: `200` with the entity (documented) or `204 No Content` (seen on real Graph). @default 200 */
  readonly patchStatus?: 200 | 204;
  /**
   * What a versioned path other than the entity gets: `"not-found"` (404, never throttled), or
   * `"empty"`, a stand-in for the rest of Graph: a `GET` gets `200 {"value":[]}`, any other method
   * `204`, after faults and the limits (a limit's `path` picks a workload, such as `/v1.0/sites` or
   * one mailbox's `/v1.0/users/adele@contoso.com/`). Nothing is stored or logged as applied.
   * @default "not-found"
   */
  readonly otherPaths?: "not-found" | "empty";
  /** Fault injection. @default none */
  readonly faults?: EmulatorFaults;
  /**
   * CORS for browser clients: `true` (any origin, Graph's exposed headers), settings, or `false`
   * to refuse: no CORS headers at all and preflights not answered, so a browser blocks every
   * call (as it would for a host that does not allow its origin). Preflights (`OPTIONS`) are
   * answered before authentication, allowing `Authorization`, `Content-Type`,
   * `client-request-id`, `Retry-Attempt`, `SdkVersion`, `Prefer`, `If-Match` and
   * `ConsistencyLevel`, and are not counted in the stats.
   * @default true
   */
  readonly cors?: boolean | EmulatorCors;
}

/** One update the emulator applied (and acknowledged unless a fault hid the answer). */
export interface AppliedUpdate {
  /** Order of application across all tenants, from 1. */
  readonly seq: number;
  /** The tenant (JWT `tid`, or the raw token). */
  readonly tenant: string;
  /** The app (JWT `appid`/`azp`), or `"unknown"`. */
  readonly app: string;
  /** `v1.0` or `beta`. */
  readonly version: string;
  /** The properties that were applied (without `@odata.type`). */
  readonly patch: Readonly<Record<string, unknown>>;
  /** The `request-id` the emulator assigned. */
  readonly requestId: string;
  /** The `client-request-id` the client sent, if any. */
  readonly clientRequestId: string | null;
  /** When it was applied (ms since epoch). */
  readonly at: number;
}

/** A snapshot of what the emulator has seen since start or `reset()`. */
export interface EmulatorStats {
  /** Requests received (including faulted ones). */
  readonly requests: number;
  /** Responses by status code, plus `"reset"` and `"hang"` for faults with no response. */
  readonly byStatus: Readonly<Record<string, number>>;
  /** `429` responses sent. */
  readonly throttled: number;
  /** `429` responses by the name of the limit that refused them (a request refused by two limits counts in both). */
  readonly throttledBy: Readonly<Record<string, number>>;
  /** The highest number of requests in progress at the same time. */
  readonly maxConcurrent: number;
  /** Every applied update, in order. */
  readonly applied: readonly AppliedUpdate[];
  /** Each current limit by name: what it counted, its 429s, and its effective shape now. */
  readonly limits: Readonly<Record<string, EmulatorLimitStats>>;
}

/**
 * One limit as `stats()` sees it. `counted` is what the server charged (admitted requests, plus
 * refused or faulted ones when the limit counts them), so the fastest possible run is the floor
 * that `counted`, `limit` and `windowMs` give.
 */
export interface EmulatorLimitStats {
  /** The limit's algorithm. */
  readonly algorithm: EmulatorLimitAlgorithm | "concurrency";
  /** The effective limit now (after any schedule phase). */
  readonly limit: number;
  /** The effective window in milliseconds (after `timeScale`); `undefined` for a concurrency limit. */
  readonly windowMs: number | undefined;
  /** Token bucket: the capacity; `undefined` otherwise. */
  readonly burst: number | undefined;
  /** Requests counted against the limit, over all tenants and apps. */
  readonly counted: number;
  /** `429`s this limit caused. */
  readonly throttled: number;
}

/** A running emulator. */
export interface GraphEmulator {
  /** Base URL to pass as `baseUrl`, e.g. `https://127.0.0.1:43121/` (trailing slash included). */
  readonly url: string;
  /** The host name to pass in `customHosts` (`127.0.0.1`). */
  readonly host: string;
  /** The port the emulator listens on. */
  readonly port: number;
  /** PEM of the certificate the emulator serves (HTTPS only). */
  readonly ca: string | undefined;
  /** Fetch options that trust the emulator's certificate for this client only (an undici `dispatcher`); pass as `fetchOptions`. */
  readonly fetchOptions: RequestInit;
  /** The stored entity of a tenant (a copy), or `undefined` if it was never read or written. */
  entity(tenant: string): SoftwareUpdateStatusSummary | undefined;
  /** Counters and the applied log. */
  stats(): EmulatorStats;
  /** Clears stats, entities and throttle windows, and restarts limit schedules; keeps options. */
  reset(): void;
  /** Replaces the fault settings (the PRNG is reseeded). */
  setFaults(faults: EmulatorFaults | undefined): void;
  /**
   * Replaces the limits (`false` for none). A limit whose name, algorithm and scope stay the same
   * keeps what it counted, so a lowered limit bites at once; schedules restart from now.
   * @throws InvalidOptionsError when a limit is invalid (the old limits stay).
   */
  setLimits(limits: readonly EmulatorLimit[] | false): void;
  /** Stops listening, answers or drops requests in progress (hung ones included), and resolves when closed. */
  close(): Promise<void>;
}
