import type { SoftwareUpdateStatusSummary } from "@microsoft/microsoft-graph-types";

/** A request class the emulator's limits count. */
export type EmulatorRequestClass = "write" | "any";

/** One throttling rule of the emulator: at most `limit` requests of `requests` per `windowMs` (sliding) per `scope`. */
export interface EmulatorLimit {
  /** A name shown in stats (`throttledBy`) and in the `x-emulator-throttled-by` header of a 429 (the body keeps Graph's documented shape). */
  readonly name: string;
  /** Which requests count: writes (POST, PUT, PATCH, DELETE) or any request. */
  readonly requests: EmulatorRequestClass;
  /** Counted per tenant (all apps together) or per app per tenant. */
  readonly scope: "tenant" | "app";
  /** Requests allowed in any window. */
  readonly limit: number;
  /** The window in milliseconds, before `timeScale` applies. */
  readonly windowMs: number;
}

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
  /** Throttling rules, or `false` for none. @default INTUNE_DEVICE_CONFIGURATION_LIMITS */
  readonly limits?: readonly EmulatorLimit[] | false;
  /** Multiplies every window (0.05 turns 20 s into 1 s). @default 1 */
  readonly timeScale?: number;
  /** How `Retry-After` is written on 429: whole seconds (rounded up), fractional seconds, or an HTTP-date. @default "seconds" */
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
  /** Clears stats, entities and throttle windows; keeps options. */
  reset(): void;
  /** Replaces the fault settings (the PRNG is reseeded). */
  setFaults(faults: EmulatorFaults | undefined): void;
  /** Stops listening, answers or drops requests in progress (hung ones included), and resolves when closed. */
  close(): Promise<void>;
}
