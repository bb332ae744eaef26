import { createTimedAbortScope } from "../retry/timedAbortScope.js";

/** Runs writes one at a time per key, in the order they were queued. */
export interface WriteQueue {
  /**
   * Runs `write` once every earlier write of `key` has released it. The returned promise settles
   * with `write` itself; the key is released only when `held` (started once `write` has settled)
   * resolves too.
   * @param key - The lane, e.g. tenant and entity path.
   * @param signal - Aborting it while the write waits removes it: `write` never runs, and the
   *   promise rejects with `signal.reason`.
   * @param write - The write.
   * @param held - What must also finish before the next write of `key` starts.
   */
  run<T>(key: string, signal: AbortSignal | undefined, write: () => Promise<T>, held: () => Promise<void>): Promise<T>;
  /** How many writes of `key` hold or wait for it. */
  size(key: string): number;
}

interface Lane {
  /** Starts the queued writes, oldest first. */
  readonly waiting: (() => void)[];
}

/** Creates an empty {@link WriteQueue}. */
export function createWriteQueue(): WriteQueue {
  const lanes = new Map<string, Lane>();

  const release = (key: string): void => {
    const lane = lanes.get(key);
    const next = lane?.waiting.shift();
    if (next !== undefined) next();
    else lanes.delete(key);
  };

  const hold = <T>(key: string, write: () => Promise<T>, held: () => Promise<void>): Promise<T> => {
    let result: Promise<T>;
    try {
      result = write();
    } catch (error) {
      result = Promise.reject(error);
    }
    const releaseKey = (): void => release(key);
    const afterWrite = (): void => {
      // `held` settles on its own (it is bounded by the write's deadline); a failure of it must not
      // block the lane forever.
      let holding: Promise<void>;
      try {
        holding = held();
      } catch {
        releaseKey();
        return;
      }
      holding.then(releaseKey, releaseKey);
    };
    result.then(afterWrite, afterWrite);
    return result;
  };

  return {
    run(key, signal, write, held) {
      if (signal?.aborted === true) return Promise.reject(signal.reason);
      const lane = lanes.get(key);
      if (lane === undefined) {
        lanes.set(key, { waiting: [] });
        return hold(key, write, held);
      }
      return new Promise((resolve, reject) => {
        // One listener per signal however many writes wait on it (a shared shutdown signal).
        const abort = signal === undefined ? undefined : createTimedAbortScope(signal, Infinity);
        const start = (): void => {
          abort?.dispose();
          hold(key, write, held).then(resolve, reject);
        };
        abort?.signal.addEventListener(
          "abort",
          () => {
            const index = lane.waiting.indexOf(start);
            if (index >= 0) lane.waiting.splice(index, 1);
            reject(signal?.reason);
          },
          { once: true },
        );
        lane.waiting.push(start);
      });
    },
    size(key) {
      const lane = lanes.get(key);
      return lane === undefined ? 0 : lane.waiting.length + 1;
    },
  };
}
