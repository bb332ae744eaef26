import type { StoreOperation } from "./storeCall.js";

/** Sent once per outage, when the handler stops using its store and answers from the fallback. */
export interface StoreFallbackEvent {
  /** The operation that failed first. */
  readonly operation: StoreOperation;
  /**
   * Why: the store's error (e.g. a Redis key of the wrong type, naming the key) or, when the store
   * did not answer within `storeTimeoutMs`, an error named `StoreTimeoutError`. It is a copy with
   * secrets masked in its message (the original may hold connection options), so test its `name`.
   */
  readonly error: Error;
}

/** Sent when a probe finds the store working again and the handler goes back to it. */
export interface StoreRecoverEvent {
  /** How long the fallback was used, in milliseconds. */
  readonly outageMs: number;
}
