/**
 * Settles like `work`, unless `signal` aborts first: then it rejects with `signal.reason` at once,
 * even if `work` ignores the signal. The listener is removed on every path. A late rejection of
 * abandoned work is swallowed, and `onAbandoned` receives a late result (e.g. to free a response).
 * @param work - The operation in flight.
 * @param signal - Cancels the wait for it.
 * @param onAbandoned - Called with the result if `work` fulfils after the abort.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal, onAbandoned?: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = (): void => {
      if (settled) return;
      settled = true;
      reject(signal.reason);
    };
    work.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (settled) onAbandoned?.(value);
        else {
          settled = true;
          resolve(value);
        }
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        if (settled) return;
        settled = true;
        reject(error);
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
}
