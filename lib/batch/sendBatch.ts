import type { Client } from "@microsoft/microsoft-graph-client";
import { ValidationError } from "../errors/ValidationError.js";
import { ATTEMPTS_HEADER, MAX_BATCH_REQUESTS, type BatchRequestItem, type BatchResponseItem } from "./batchTypes.js";
import { itemHeader } from "./parseBatch.js";
import { splitIntoBatches } from "./splitIntoBatches.js";
import { isSuccess } from "./subResponses.js";
import { batchIssues } from "./validateBatch.js";

/** Options of {@link sendBatch}. */
export interface SendBatchOptions {
  /** The API version of the `$batch` endpoint. @default "v1.0" */
  readonly version?: "v1.0" | "beta";
  /** Batches in flight at once (the throttle handler still paces every request inside). @default 4 */
  readonly concurrency?: number;
  /** Requests per batch, at most 20. @default 20 */
  readonly batchSize?: number;
  /** Called after each batch is answered. @default none */
  readonly onProgress?: (progress: BatchProgress) => void;
  /** Stops sending: batches not sent yet are not sent, and the call rejects with `signal.reason`. @default none */
  readonly signal?: AbortSignal;
}

/** How far a {@link sendBatch} call is. */
export interface BatchProgress {
  /** Requests answered so far. */
  readonly done: number;
  /** All requests. */
  readonly total: number;
  /** Answered with a 2xx. */
  readonly succeeded: number;
  /** Answered otherwise, or failed with their batch. */
  readonly failed: number;
}

/** The outcome of one request of a {@link sendBatch} call. */
export interface BatchResult {
  /** The request's id. */
  readonly id: string;
  /** Whether its last real answer was a 2xx. */
  readonly ok: boolean;
  /** Its last real status; `0` when its batch failed as a whole (see `error`). */
  readonly status: number;
  /** Its last answer's headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Its last answer's body. */
  readonly body: unknown;
  /** How many times it was sent (from the batch step's `x-attempts`; 1 without that step). */
  readonly attempts: number;
  /** Why its batch failed as a whole (after the retry handler gave up), when it did. */
  readonly error?: unknown;
}

/**
 * Sends any number of requests through JSON batching: checks them all first (a `ValidationError`
 * listing every problem, nothing sent), splits them into batches of at most 20 keeping each
 * `dependsOn` chain in one batch, sends `concurrency` batches at a time through the client's chain
 * (whose batch step re-sends throttled requests, and whose throttle step paces each request inside),
 * and resolves to one result per request id, in the order given.
 *
 * @example
 * ```ts
 * const results = await sendBatch(client, updates.map((u, i) => ({
 *   id: String(i), method: "PATCH", url: "/deviceManagement/softwareUpdateStatusSummary",
 *   headers: { "Content-Type": "application/json" }, body: u,
 * })), { onProgress: (p) => console.log(`${p.done}/${p.total}`) });
 * ```
 * @param client - An official `Client` (from `createGraphClient` for the retries and pacing).
 * @param requests - The requests; ids must be unique across all of them.
 * @param options - See {@link SendBatchOptions}.
 * @returns A result per request id.
 * @throws ValidationError when a request is malformed (nothing is sent).
 */
export async function sendBatch(
  client: Client,
  requests: readonly BatchRequestItem[],
  options: SendBatchOptions = {},
): Promise<Map<string, BatchResult>> {
  const issues = batchIssues(requests, Number.POSITIVE_INFINITY);
  const batchSize = options.batchSize ?? MAX_BATCH_REQUESTS;
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH_REQUESTS) {
    issues.push({ path: "options.batchSize", message: `must be a whole number from 1 to ${MAX_BATCH_REQUESTS}, got ${String(batchSize)}` });
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) issues.push({ path: "options.concurrency", message: `must be a whole number >= 1, got ${String(concurrency)}` });
  if (issues.length > 0) throw new ValidationError("batch requests", issues);
  const batches = splitIntoBatches(requests, batchSize);
  const signal = options.signal;
  const results = new Map<string, BatchResult>();
  let succeeded = 0;
  let failed = 0;
  let nextBatch = 0;
  const record = (result: BatchResult): void => {
    results.set(result.id, result);
    if (result.ok) succeeded += 1;
    else failed += 1;
  };
  const worker = async (): Promise<void> => {
    while (nextBatch < batches.length) {
      signal?.throwIfAborted();
      const batch = batches[nextBatch++] as BatchRequestItem[];
      let request = client.api("/$batch").version(options.version ?? "v1.0");
      if (signal !== undefined) request = request.options({ signal });
      try {
        const answer = (await request.post({ requests: batch })) as { responses?: BatchResponseItem[] } | undefined;
        const byId = new Map((answer?.responses ?? []).map((r) => [r.id, r]));
        for (const item of batch) record(resultOf(item.id, byId.get(item.id)));
      } catch (error) {
        if (signal?.aborted === true) throw signal.reason;
        for (const item of batch) record({ id: item.id, ok: false, status: 0, headers: {}, body: undefined, attempts: 0, error });
      }
      options.onProgress?.({ done: results.size, total: requests.length, succeeded, failed });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  return new Map(requests.map((item) => [item.id, results.get(item.id) as BatchResult]));
}

function resultOf(id: string, answer: BatchResponseItem | undefined): BatchResult {
  // Never claim what the server did not say: a request it did not answer is a failure.
  if (answer === undefined) {
    return { id, ok: false, status: 0, headers: {}, body: undefined, attempts: 1, error: new Error(`The batch response has no answer for request "${id}"`) };
  }
  const attempts = Number(itemHeader(answer, ATTEMPTS_HEADER) ?? "1");
  return { id, ok: isSuccess(answer.status), status: answer.status, headers: { ...answer.headers }, body: answer.body, attempts: Number.isFinite(attempts) ? attempts : 1 };
}
