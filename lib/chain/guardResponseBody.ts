/** What ends a guarded body early. */
export interface ResponseBodyGuard {
  /**
   * Ends the body when it aborts: the read in progress and every later one fail with
   * `abortError()`, and the underlying body is cancelled (its connection is freed). A function
   * is called when the body is first read, so a body nobody reads holds no timer or listener.
   */
  readonly signal?: AbortSignal | (() => AbortSignal);
  /**
   * Instead of `signal`: starts watching on the first read, and calls `abort` to end the body as
   * a signal's abort would (reads fail with `abortError()`). Returns what stops the watch; it is
   * called once when the body is done with. Costs no `AbortController` or event listener.
   */
  readonly watch?: (abort: () => void) => () => void;
  /** The error reads fail with once `signal` aborted. @default the signal's reason */
  readonly abortError?: () => unknown;
  /**
   * The most bytes (after decoding) the body may have. A longer one fails with `tooLargeError()`
   * as soon as it passes the limit, or at the first read when its `Content-Length` says so; the
   * underlying body is cancelled. @default Infinity
   */
  readonly maxBytes?: number;
  /** The error reads fail with when the body is too large. @default a `RangeError` */
  readonly tooLargeError?: () => unknown;
  /** Called once when the body is done with: read to the end, failed, cancelled, or ended by the guard. */
  readonly onEnd?: () => void;
  /** Sees each chunk handed to the reader (to keep a bounded copy); must not throw. @default none */
  readonly onChunk?: (chunk: Uint8Array) => void;
  /** Called once when the body was read to the end (not when it failed or was cancelled). @default none */
  readonly onComplete?: () => void;
}

/**
 * Returns a response like `response` (status, headers, `url`) whose body is read through a guard:
 * reading it fails with the guard's error when `signal` aborts or the body passes `maxBytes`,
 * however the server behaves (a body that stalls after the headers, or trickles forever). The
 * guard reads from the original body only when its reader asks (no read-ahead), and follows the
 * signal from the first read until the body is done with. A response without a body stream is returned as it is
 * (after `onEnd`).
 * @param response - The response to guard; its body must not have been read.
 * @param guard - The signal, the size limit and their errors.
 */
export function guardResponseBody(response: Response, guard: ResponseBodyGuard): Response {
  const source = response.body;
  if (source === null || source === undefined || response.bodyUsed || !canHaveBody(response.status)) {
    guard.onEnd?.();
    return response;
  }
  const maxBytes = guard.maxBytes ?? Infinity;
  let signal: AbortSignal | undefined;
  let watching = false;
  let stopWatching: (() => void) | undefined;
  const abortError = guard.abortError ?? (() => signal?.reason);
  const tooLargeError = guard.tooLargeError ?? (() => new RangeError(`The response body is larger than ${maxBytes} bytes`));
  const reader = source.getReader();
  let received = 0;
  let ended = false;
  let fail: (error: unknown) => void = () => undefined;

  const end = (): void => {
    if (ended) return;
    ended = true;
    signal?.removeEventListener("abort", onAbort);
    stopWatching?.();
    stopWatching = undefined;
    guard.onEnd?.();
  };
  const onAbort = (): void => fail(abortError());
  /** On the first read: checks `Content-Length` and starts following the signal (or the watch). Returns whether the body is still live. */
  const watch = (): boolean => {
    if (watching) return !ended;
    watching = true;
    if (guard.signal !== undefined) signal = typeof guard.signal === "function" ? guard.signal() : guard.signal;
    if (declaredLength(response) > maxBytes) {
      fail(tooLargeError());
    } else if (guard.watch !== undefined) {
      const stop = guard.watch(onAbort);
      // It may have aborted at once, and the body ended before there was anything to stop.
      if (ended) stop();
      else stopWatching = stop;
    } else if (signal !== undefined) {
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort, { once: true });
    }
    return !ended;
  };

  const body = new ReadableStream<Uint8Array>(
    {
      start(controller) {
        fail = (error) => {
          if (ended) return;
          end();
          controller.error(error);
          void reader.cancel(error).catch(() => undefined);
        };
      },
      async pull(controller) {
        if (!watch()) return;
        let chunk: ReadableStreamReadResult<Uint8Array>;
        try {
          chunk = await reader.read();
        } catch (error) {
          fail(error);
          return;
        }
        // Ended meanwhile by the guard, whose cancel turned the pending read into `done`.
        if (ended) return;
        if (chunk.done) {
          end();
          controller.close();
          guard.onComplete?.();
          return;
        }
        received += chunk.value.byteLength;
        if (received > maxBytes) {
          fail(tooLargeError());
          return;
        }
        guard.onChunk?.(chunk.value);
        controller.enqueue(chunk.value);
      },
      cancel(reason) {
        end();
        return reader.cancel(reason);
      },
    },
    // Pull only when the reader asks, so nothing is buffered ahead of it.
    { highWaterMark: 0 },
  );

  const guarded = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  for (const key of ["url", "redirected", "type"] as const) Object.defineProperty(guarded, key, { value: response[key] });
  return guarded;
}

/** The `Content-Length` of an unencoded body (a compressed one is measured after decoding), or 0. */
function declaredLength(response: Response): number {
  const encoding = response.headers.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") return 0;
  const length = Number(response.headers.get("content-length"));
  return Number.isSafeInteger(length) ? length : 0;
}

/** Whether `new Response(body, { status })` accepts a body with this status. */
function canHaveBody(status: number): boolean {
  return status >= 200 && status <= 599 && status !== 204 && status !== 205 && status !== 304;
}
