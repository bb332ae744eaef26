import { GraphNetworkError, type NetworkFailureKind } from "../errors/GraphNetworkError.js";
import type { GraphRequestError } from "../errors/GraphRequestError.js";

/**
 * Retries allowed per network failure kind, below `maxRetries`. A browser's opaque failure is
 * most often a CORS refusal, which no retry cures, yet it may be a dropped connection: one retry
 * tells the two apart without hammering a host that refuses this origin.
 */
const RETRY_CAP_BY_KIND: Readonly<Partial<Record<NetworkFailureKind, number>>> = { "cors-or-network": 1 };

/**
 * True when `error` is a network failure whose kind has used up its own retry cap.
 * @param error - The failure about to be retried.
 * @param earlier - The failures of the earlier attempts of this call.
 */
export function networkRetryCapReached(error: GraphRequestError, earlier: readonly GraphRequestError[]): boolean {
  if (!(error instanceof GraphNetworkError)) return false;
  const cap = RETRY_CAP_BY_KIND[error.kind];
  if (cap === undefined) return false;
  return earlier.filter((cause) => cause instanceof GraphNetworkError && cause.kind === error.kind).length >= cap;
}
