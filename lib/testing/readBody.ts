import type { IncomingMessage } from "node:http";

/** The outcome of {@link readBody}. */
export type BodyResult = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: "too-large" | "aborted" };

/**
 * Reads a request body as UTF-8 text, up to `maxBytes`.
 * @param req - The request.
 * @param maxBytes - The largest body accepted.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: BodyResult): void => {
      if (done) return;
      done = true;
      req.off("data", onData).off("end", onEnd).off("error", onAbort).off("close", onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop buffering; the rest is drained by Node after the response.
        finish({ ok: false, reason: "too-large" });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, text: Buffer.concat(chunks, size).toString("utf8") });
    const onAbort = (): void => finish({ ok: false, reason: "aborted" });
    req.on("data", onData).on("end", onEnd).on("error", onAbort).on("close", onAbort);
  });
}
