import type { BodyText } from "./readBodyText.js";

/** What a buffered response holds: the whole body, or the error every read of it fails with. */
export type BufferedContent = { readonly bytes: Uint8Array } | { readonly error: unknown };

/** A `Response` whose body was read into memory (or failed to be) before it was handed on. */
interface Buffered extends Response {
  /** The response it stands for (headers, `url`, `redirected`, `type`). */
  readonly source: Response;
  /** What every read of it gives. */
  readonly content: BufferedContent;
  /** Whether a read method used the body up. */
  used: boolean;
  /** A plain response over the same content, made only when someone asks for the stream. */
  inner: Response | undefined;
}

type BufferedConstructor = new (source: Response, content: BufferedContent) => Buffered;

let BufferedResponse: BufferedConstructor | undefined;

// One decoder for every whole-body read: a decode without `stream` keeps no state between calls.
const utf8 = new TextDecoder();

/**
 * A response like `source` (status, status text, the same headers object, `url`, `redirected`,
 * `type`) whose body is `content`: reading it gives those bytes, or fails with that error, as a
 * read of `source`'s body would have. Why not `new Response(bytes, init)`: that builds a body
 * stream and copies the headers up front, while the official `GraphRequest` and this package read
 * small answers through `json()`/`text()`, which this serves straight from memory. The stream is
 * made only if someone reads `body`. `source` must be an instance of the global `Response`, with
 * a status that may have a body.
 * @param source - The response whose body was read.
 * @param content - Its bytes, or the error reading it failed with.
 */
export function bufferedResponse(source: Response, content: BufferedContent): Response {
  BufferedResponse ??= defineBufferedResponse();
  return new BufferedResponse(source, content);
}

/**
 * Reads a buffered response's body as {@link readBodyText} would (at most `maxBytes`), without
 * making a stream; `undefined` for any other response, or one whose body is already in use.
 * @param response - The response.
 * @param maxBytes - The most bytes to read.
 */
export function readBufferedText(response: Response, maxBytes: number): Promise<BodyText> | undefined {
  if (BufferedResponse === undefined || !(response instanceof BufferedResponse) || response.inner !== undefined || response.used) return undefined;
  const content = response.content;
  response.used = true;
  if (!("bytes" in content)) return Promise.reject(content.error);
  const complete = content.bytes.byteLength <= maxBytes;
  const text = utf8.decode(complete ? content.bytes : content.bytes.subarray(0, maxBytes));
  return Promise.resolve({ text, complete });
}

// Made on first use: `Response` may not exist when this module loads (a runtime that polyfills it later).
function defineBufferedResponse(): BufferedConstructor {
  class BufferedBody extends Response implements Buffered {
    used = false;
    inner: Response | undefined = undefined;

    constructor(
      readonly source: Response,
      readonly content: BufferedContent,
    ) {
      // No body and no headers here: both are served from `source` and `content` (see the accessors below).
      super(null, { status: source.status, statusText: source.statusText });
    }

    override async arrayBuffer(): Promise<ArrayBuffer> {
      if (this.inner !== undefined) return this.inner.arrayBuffer();
      return this.take().slice().buffer;
    }

    override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
      if (this.inner !== undefined) return this.inner.bytes();
      return this.take().slice();
    }

    override async text(): Promise<string> {
      if (this.inner !== undefined) return this.inner.text();
      return utf8.decode(this.take());
    }

    override async json(): Promise<unknown> {
      if (this.inner !== undefined) return this.inner.json() as Promise<unknown>;
      return JSON.parse(utf8.decode(this.take())) as unknown;
    }

    override async blob(): Promise<Blob> {
      if (this.inner !== undefined) return this.inner.blob();
      return new Blob([this.take().slice()], { type: this.source.headers.get("content-type") ?? "" });
    }

    override async formData(): Promise<FormData> {
      return this.stream().formData();
    }

    override clone(): Response {
      if (this.inner !== undefined) return withSourceFields(this.inner.clone(), this.source);
      if (this.used) throw new TypeError("Response.clone: Body has already been consumed.");
      return new BufferedBody(this.source, this.content);
    }

    /** Uses the body up: its bytes, or a throw of its error (a read of a used body throws as `Response`'s does). */
    take(): Uint8Array {
      if (this.used) throw new TypeError("Body is unusable: Body has already been read");
      this.used = true;
      if (!("bytes" in this.content)) throw this.content.error;
      return this.content.bytes;
    }

    /** The plain response behind `body`, made on first use (used up already if a read method took the body). */
    stream(): Response {
      if (this.inner !== undefined) return this.inner;
      const content = this.content;
      const body =
        "bytes" in content
          ? content.bytes.slice()
          : new ReadableStream<Uint8Array>({
              start: (controller) => controller.error(content.error),
            });
      const inner = new Response(body, { status: this.status, statusText: this.statusText, headers: this.source.headers });
      this.inner = inner;
      if (this.used) void inner.arrayBuffer().catch(() => undefined);
      return inner;
    }
  }
  // Accessors on the prototype: `Response` declares these as properties, which a class may not redefine as getters.
  Object.defineProperties(BufferedBody.prototype, {
    headers: { get: sourceField("headers"), configurable: true },
    url: { get: sourceField("url"), configurable: true },
    redirected: { get: sourceField("redirected"), configurable: true },
    type: { get: sourceField("type"), configurable: true },
    body: {
      get(this: BufferedBody) {
        return this.stream().body;
      },
      configurable: true,
    },
    bodyUsed: {
      get(this: BufferedBody) {
        return this.inner === undefined ? this.used : this.inner.bodyUsed;
      },
      configurable: true,
    },
  });
  return BufferedBody;
}

function sourceField(key: "headers" | "url" | "redirected" | "type"): (this: Buffered) => unknown {
  return function (this: Buffered) {
    return this.source[key];
  };
}

/** A plain clone keeps `url`, `redirected` and `type` of the response it stands for. */
function withSourceFields(response: Response, source: Response): Response {
  for (const key of ["url", "redirected", "type"] as const) Object.defineProperty(response, key, { value: source[key] });
  return response;
}
