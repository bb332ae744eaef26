/** A throttle store call did not settle within the handler's `storeTimeoutMs`. */
export class StoreTimeoutError extends Error {
  /** The timeout that elapsed, in milliseconds. */
  readonly timeoutMs: number;

  /**
   * @param operation - The store operation that timed out.
   * @param timeoutMs - The timeout that elapsed.
   */
  constructor(operation: string, timeoutMs: number) {
    super(`Throttle store did not answer ${operation} within ${timeoutMs} ms`);
    Object.setPrototypeOf(this, new.target.prototype);
    this.name = "StoreTimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Settles like `promise`, or rejects with {@link StoreTimeoutError} after `timeoutMs` (and one more
 * event-loop turn, so a reply that arrived while the process was busy still wins). The timers are
 * cleared on either path, and a late rejection of `promise` is swallowed (a client that queues
 * commands while reconnecting may reject them long after we stopped waiting).
 * @param promise - The call to bound.
 * @param timeoutMs - The longest wait in milliseconds.
 * @param operation - Named in the timeout error.
 */
export function withStoreTimeout<T>(promise: Promise<T>, timeoutMs: number, operation: string): Promise<T> {
  promise.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Reject only after the loop has read the sockets: when this process was starved of CPU, the
      // reply may already be waiting, and the loop runs due timers before it polls for I/O. A timer
      // set from a timer callback runs in the next loop turn, after that poll (in browsers too,
      // unlike setImmediate).
      timer = setTimeout(() => reject(new StoreTimeoutError(operation, timeoutMs)), 0);
    }, timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
