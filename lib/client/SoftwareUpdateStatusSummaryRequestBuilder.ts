import type { MiddlewareOptions } from "@microsoft/microsoft-graph-client";
import type { SoftwareUpdateStatusSummary } from "@microsoft/microsoft-graph-types";
import type { SoftwareUpdateStatusSummaryPatch } from "../entity/SoftwareUpdateStatusSummaryPatch.js";
import type { SoftwareUpdateStatusSummaryProperty } from "../entity/softwareUpdateStatusSummaryMetadata.js";

/** A Microsoft Graph API version. */
export type GraphApiVersion = "v1.0" | "beta";

/** Per-call options of `get()` and `update()`. */
export interface SoftwareUpdateStatusSummaryCallOptions {
  /** The API version of this call. @default the client's `defaultVersion` */
  readonly version?: GraphApiVersion;
  /** Aborts the call (including waits between retries and reading the answer); the call then rejects with `signal.reason`. @default none */
  readonly signal?: AbortSignal;
  /**
   * Extra request headers. A `client-request-id` given here is used instead of a generated one.
   * @default none
   */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * Extra middleware options for this call, appended after the ones the helper adds (a
   * `RequestTrace` and, for `update()`, an `IdempotentRequestOption`). An option of the same
   * class replaces the helper's; a `RequestTrace` given here is the one filled in.
   * @default none
   */
  readonly middlewareOptions?: readonly MiddlewareOptions[];
}

/** Options of `update()`: the call options plus write ordering. */
export interface SoftwareUpdateStatusSummaryUpdateOptions extends SoftwareUpdateStatusSummaryCallOptions {
  /**
   * Writes in order: wait for the earlier updates of this client to the same tenant's entity, and
   * hold the next one until every attempt of this one has settled (a timed-out attempt is kept
   * running rather than aborted, until the call's deadline). `false` sends at once, and a
   * timed-out attempt is aborted; a late copy of it may then land after a later update.
   * @default true
   */
  readonly ordered?: boolean;
}

/** Options of `get()`: the call options plus `$select`. */
export interface SoftwareUpdateStatusSummaryGetOptions<K extends SoftwareUpdateStatusSummaryProperty>
  extends SoftwareUpdateStatusSummaryCallOptions {
  /** Properties to return (`$select`); the result type is narrowed to them and `id`. */
  readonly select: readonly K[];
}

/** The entity narrowed to the selected properties (and `id`, which Graph always returns). */
export type SelectedSoftwareUpdateStatusSummary<K extends SoftwareUpdateStatusSummaryProperty> = Pick<
  SoftwareUpdateStatusSummary,
  K | "id"
>;

/** Typed requests for the Intune singleton `/deviceManagement/softwareUpdateStatusSummary`. */
export interface SoftwareUpdateStatusSummaryRequestBuilder {
  /**
   * Reads the properties named in `select` (sent as `$select`).
   * @param options - `select` and per-call options.
   * @throws `GraphRequestError` for a non-2xx answer or an unreadable body; `GraphNetworkError`
   *   when no answer came; `ValidationError` for an unknown `select` name (nothing is sent).
   */
  get<K extends SoftwareUpdateStatusSummaryProperty>(
    options: SoftwareUpdateStatusSummaryGetOptions<K>,
  ): Promise<SelectedSoftwareUpdateStatusSummary<K>>;
  /**
   * Reads the entity.
   * @param options - Per-call options.
   * @throws `GraphRequestError` for a non-2xx answer or an unreadable body; `GraphNetworkError`
   *   when no answer came.
   */
  get(options?: SoftwareUpdateStatusSummaryCallOptions & { readonly select?: undefined }): Promise<SoftwareUpdateStatusSummary>;
  /**
   * Validates `patch`, then sends it as `PATCH` with its `@odata.type`. The request is marked
   * idempotent (it sets absolute values), so the retry handler may repeat it after a network
   * failure. Updates of one client to one tenant's entity are applied in call order (see
   * {@link SoftwareUpdateStatusSummaryUpdateOptions.ordered}).
   * @param patch - The properties to set.
   * @param options - Per-call options.
   * @returns The updated entity when Graph answers `200` with one, or `undefined` when it answers
   *   `204 No Content` (as real Graph often does) or an empty body. No entity is ever invented.
   * @throws `ValidationError` listing every problem in `patch` (nothing is sent);
   *   `GraphRequestError` for a non-2xx answer or an unparsable body; `GraphNetworkError` when
   *   no answer came.
   */
  update(
    patch: SoftwareUpdateStatusSummaryPatch,
    options?: SoftwareUpdateStatusSummaryUpdateOptions,
  ): Promise<SoftwareUpdateStatusSummary | undefined>;
}

/** What `createGraphClient()` and `extendClient()` add to a `Client`. */
export interface SoftwareUpdateStatusSummaryClient {
  /** Typed requests for `/deviceManagement/softwareUpdateStatusSummary`. */
  softwareUpdateStatusSummary(): SoftwareUpdateStatusSummaryRequestBuilder;
}
