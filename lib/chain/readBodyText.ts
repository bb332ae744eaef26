import { readBufferedText } from "./bufferedResponse.js";

/**
 * How much of an error body is worth reading: Graph's error bodies are well under 2 KB, and only
 * their `error.code`, message and ids are used. The rest of a longer one is not read at all.
 */
export const ERROR_BODY_READ_BYTES = 64 * 1024;

/** The start of a body, read as UTF-8 text. */
export interface BodyText {
  /** The text of the bytes read. */
  readonly text: string;
  /** `true` when the body ended within the limit; `false` when more followed and was left unread. */
  readonly complete: boolean;
}

/**
 * Reads at most `maxBytes` of a response body as text, then cancels the rest, so a huge or endless
 * body never ends up in memory. When `signal` aborts, the body is cancelled and the read rejects
 * with `signal.reason` at once, whatever the server does. A body that fails (connection closed,
 * a guard's error) rejects with that failure. The listener is removed on every path.
 * @param response - The response whose body is read (it is used up).
 * @param maxBytes - The most bytes to read.
 * @param signal - Stops the read.
 */
export async function readBodyText(response: Response, maxBytes: number, signal?: AbortSignal): Promise<BodyText> {
  if (signal?.aborted) throw signal.reason;
  // A body the retry handler already read needs neither a stream nor the signal.
  const buffered = readBufferedText(response, maxBytes);
  if (buffered !== undefined) return buffered;
  const body = response.body;
  if (body === null || body === undefined) {
    // No stream (a null body, or a polyfilled Response without streams): nothing can be bounded.
    return { text: body === null ? "" : await response.text(), complete: true };
  }
  const reader = body.getReader();
  const onAbort = (): void => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener("abort", onAbort, { once: true });
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let received = 0;
  try {
    for (;;) {
      const chunk = await reader.read();
      // A cancel by the abort listener ends the read with `done`.
      if (signal?.aborted) throw signal.reason;
      if (chunk.done) return { text: parts.join("") + decoder.decode(), complete: true };
      const room = maxBytes - received;
      if (chunk.value.byteLength > room) {
        parts.push(decoder.decode(chunk.value.subarray(0, room)));
        void reader.cancel().catch(() => undefined);
        return { text: parts.join("") + decoder.decode(), complete: false };
      }
      received += chunk.value.byteLength;
      parts.push(decoder.decode(chunk.value, { stream: true }));
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}
