import type { Disposable } from "../retry/retryEvents.js";

/** A set of plain listener functions (cockatiel-style events). */
export interface ListenerSet<T> {
  /** Adds a listener; disposing the result removes it. */
  add(listener: (event: T) => void): Disposable;
  /** Calls every listener. A listener that throws cannot break the request, so its error is ignored. */
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
          listener(event);
        } catch {
          // Listeners observe; they do not steer. `shouldRetry` is the hook that decides.
        }
      }
    },
  };
}
