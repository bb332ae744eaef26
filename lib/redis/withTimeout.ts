/** A Redis call did not settle within the store's `commandTimeoutMs`. */
export class RedisCommandTimeoutError extends Error {
  /** The timeout that elapsed, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * @param operation - The store operation that timed out.
   * @param timeoutMs - The timeout that elapsed.
   */
  constructor(operation: string, timeoutMs: number) {
    super(`Redis did not answer ${operation} within ${timeoutMs} ms`);
    this.name = "RedisCommandTimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Settles like `promise`, or rejects with {@link RedisCommandTimeoutError} after `timeoutMs` (and
 * one more event-loop turn, so a reply that arrived while the process was busy still wins).
 * The timer is cleared on either path, and a late rejection of `promise` is swallowed (a client
 * that queues commands while reconnecting may reject them long after we stopped waiting).
 * @param promise - The call to bound.
 * @param timeoutMs - The longest wait in milliseconds.
 * @param operation - Named in the timeout error.
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  promise.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let immediate: ReturnType<typeof setImmediate> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Reject only after the loop has read the sockets: when this process was starved of CPU,
      // the reply may already be waiting, and the event loop runs timers before it polls I/O.
      immediate = setImmediate(() => reject(new RedisCommandTimeoutError(operation, timeoutMs)));
    }, timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
    if (immediate !== undefined) clearImmediate(immediate);
  });
}
