import type { Disposable } from "../retry/retryEvents.js";

/** A set of plain listener functions (cockatiel-style events). */
export interface ListenerSet<T> {
  /** Adds a listener; disposing the result removes it. */
  add(listener: (event: T) => void): Disposable;
  /**
   * Calls every listener, in the order added, then the extra ones. A listener that throws, or
   * returns a promise that rejects, cannot break the request: its error is ignored (and an
   * async listener's rejection never becomes an unhandled rejection). Nothing waits for it.
   */
  emit(event: T, ...extra: ReadonlyArray<((event: T) => void) | undefined>): void;
}

/** Creates an empty {@link ListenerSet}. */
export function createListenerSet<T>(): ListenerSet<T> {
  const listeners = new Set<(event: T) => void>();
  return {
    add(listener) {
      // A wrapper makes each registration unique, so adding one function twice needs two disposals.
      const entry = (event: T): void => listener(event);
      listeners.add(entry);
      return { dispose: () => void listeners.delete(entry) };
    },
    emit(event, ...extra) {
      for (const listener of [...listeners, ...extra]) {
        if (listener === undefined) continue;
        try {
          const result: unknown = listener(event);
          if (typeof (result as PromiseLike<unknown> | null)?.then === "function") (result as Promise<unknown>).then(undefined, ignore);
        } catch {
          // Listeners observe; they do not steer. `shouldRetry` is the hook that decides.
        }
      }
    },
  };
}

function ignore(): void {
  // See emit(): listeners observe, they do not steer.
}
