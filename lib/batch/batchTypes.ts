/**
 * The JSON batching format (`POST /$batch`) as Graph defines it. Pure data: the batch logic in
 * this folder reads and writes these, and imports only `lib/chain`, `lib/errors` and `lib/entity`,
 * so the throttle, the re-send handler and `sendBatch` share one reading of a batch.
 */

/** One request inside a `$batch` body. */
export interface BatchRequestItem {
  /** Unique within the batch; sub-responses carry it back. */
  readonly id: string;
  /** The HTTP method. */
  readonly method: string;
  /** Relative to the version root, e.g. `/deviceManagement/softwareUpdateStatusSummary`. */
  readonly url: string;
  /** Request headers (Graph requires `Content-Type` with a body). */
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body (an object), or a base64 string for other content types. */
  readonly body?: unknown;
  /** Ids of requests that must succeed before this one runs. */
  readonly dependsOn?: readonly string[];
}

/** One response inside a `$batch` response body. */
export interface BatchResponseItem {
  /** The id of the request it answers. */
  readonly id: string;
  /** Its HTTP status. */
  readonly status: number;
  /** Its headers (for example `Retry-After` on a `429`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Its body. */
  readonly body?: unknown;
}

/** The most requests one `$batch` may carry (Graph answers `400` beyond). */
export const MAX_BATCH_REQUESTS = 20;

/** The header each sub-response carries with how many times its request was sent. */
export const ATTEMPTS_HEADER = "x-attempts";
