import { GraphNetworkError, type NetworkFailureKind } from "../errors/GraphNetworkError.js";

/** The one table of transport error codes: `cause.code` values, and the same codes met in flattened text. */
const KIND_BY_CODE: Readonly<Record<string, NetworkFailureKind>> = {
  ECONNRESET: "connection-reset",
  EPIPE: "connection-reset",
  ECONNREFUSED: "connection-refused",
  ETIMEDOUT: "timeout",
  ESOCKETTIMEDOUT: "timeout",
  UND_ERR_CONNECT_TIMEOUT: "timeout",
  UND_ERR_HEADERS_TIMEOUT: "timeout",
  UND_ERR_BODY_TIMEOUT: "timeout",
  UND_ERR_SOCKET: "socket-closed",
  UND_ERR_CLOSED: "socket-closed",
  ECONNABORTED: "socket-closed",
  ENOTFOUND: "dns",
  EAI_AGAIN: "dns",
};

/**
 * Codes by which a runtime rejects the request it was given (a bad URL, header or argument), not
 * the network: undici throws them wrapped in `TypeError: fetch failed`, like a real failure.
 */
const INPUT_ERROR_CODES: ReadonlySet<string> = new Set([
  "ERR_INVALID_URL",
  "ERR_INVALID_ARG_TYPE",
  "ERR_INVALID_ARG_VALUE",
  "ERR_INVALID_HTTP_TOKEN",
  "ERR_INVALID_CHAR",
  "UND_ERR_INVALID_ARG",
  "UND_ERR_NOT_SUPPORTED",
]);

/** Phrases that name a kind when no code survived (flattened errors, other runtimes). */
const KIND_BY_PHRASE: ReadonlyArray<readonly [RegExp, NetworkFailureKind]> = [
  [/connection reset/i, "connection-reset"],
  [/connection refused/i, "connection-refused"],
  [/getaddrinfo/i, "dns"],
  [/other side closed|socket hang up|socket closed|terminated/i, "socket-closed"],
  [/timed? ?out/i, "timeout"],
];

// The messages runtimes give a failed fetch: undici, Chromium, Firefox, Safari, and node-fetch.
const FETCH_FAILED = /^(fetch failed|failed to fetch|networkerror when attempting to fetch resource\.?|load failed|network error|terminated)$/i;
// What a browser says for every failed fetch, CORS refusals included: it hides the reason on purpose.
const BROWSER_OPAQUE_FAILURE = /^(failed to fetch\b.*|networkerror when attempting to fetch resource\.?|load failed)$/i;
const FLATTENED_FAILURE = /fetch failed|network ?error|failed to fetch|load failed|socket hang up/i;
const SOCKET_CLOSED = /other side closed|socket hang up|socket closed/i;
const CODE_IN_TEXT = new RegExp(`\\b(${Object.keys(KIND_BY_CODE).join("|")})\\b`);
const INPUT_CODE_IN_TEXT = new RegExp(`\\b(${[...INPUT_ERROR_CODES].join("|")})\\b`);

/**
 * Tells whether an error thrown by `fetch` is a transport failure (no HTTP response), and which
 * kind. It looks through the whole `cause` chain (and `AggregateError.errors`), because undici
 * wraps the real reason: `TypeError: fetch failed` with `cause.code` such as `ECONNRESET`.
 * A `TypeError` counts only when it says the fetch failed: one that rejects the input (an invalid
 * URL or header, or `fetch failed` caused by undici's `UND_ERR_INVALID_ARG`) is no network failure.
 * @param error - What `fetch` (or the middleware below) threw.
 * A browser's own failure (`Failed to fetch`, `NetworkError when attempting to fetch resource.`,
 * `Load failed`) with no cause is `"cors-or-network"`: the browser reports a CORS refusal and an
 * unreachable host alike.
 * @returns The failure kind, or `undefined` when the error is not a network failure.
 */
export function classifyNetworkError(error: unknown): NetworkFailureKind | undefined {
  if (error instanceof GraphNetworkError) return error.kind;
  let looksLikeFetchFailure = false;
  let kind: NetworkFailureKind | undefined;
  for (const item of causeChain(error)) {
    const code = typeof item.code === "string" ? item.code : undefined;
    const message = typeof item.message === "string" ? item.message : "";
    if (code !== undefined && INPUT_ERROR_CODES.has(code)) return undefined;
    if (code !== undefined && KIND_BY_CODE[code] !== undefined) {
      kind ??= KIND_BY_CODE[code];
    } else if (SOCKET_CLOSED.test(message)) {
      kind ??= "socket-closed";
    }
    if (FETCH_FAILED.test(message.trim()) || item.name === "FetchError") looksLikeFetchFailure = true;
  }
  if (kind !== undefined) return kind;
  if (!looksLikeFetchFailure) return undefined;
  return isBrowserOpaque(error) ? "cors-or-network" : "unknown";
}

/** True when the error is a browser's own opaque fetch failure, with no cause that says more. */
function isBrowserOpaque(error: unknown): boolean {
  const chain = causeChain(error);
  return chain.length === 1 && typeof chain[0]?.message === "string" && BROWSER_OPAQUE_FAILURE.test(chain[0].message.trim());
}

/**
 * What a caller should be told about a failure kind beyond its name: for `"cors-or-network"`,
 * that the browser hid the reason and what the likely causes are; otherwise nothing.
 * @param kind - The classified failure.
 */
export function networkFailureHint(kind: NetworkFailureKind): string {
  return kind === "cors-or-network"
    ? " (the browser hides the reason: most likely the server's CORS policy refused this page's origin or did not allow a header, or the host is unreachable; the browser console names the cause)"
    : "";
}

/**
 * Classifies a failure that the official `GraphRequest` already flattened into a `GraphError`
 * (only its name, message, stack and cause text survive), with the same code table as
 * {@link classifyNetworkError}. The name alone decides nothing: a `TypeError` counts only when
 * its text describes a failed fetch (a `TypeError` about an invalid URL, header or option is the
 * caller's input, not the network).
 * @param name - The error's `name`, or the flattened `GraphError`'s `code`.
 * @param texts - The message first, then stack and cause text.
 * @returns The kind (`"unknown"` when none is named), or `undefined` when the text does not
 *   describe a failed fetch.
 */
export function classifyFlattenedNetworkFailure(
  name: string | null | undefined,
  ...texts: ReadonlyArray<string | undefined>
): NetworkFailureKind | undefined {
  const message = texts[0] ?? "";
  const failed = name === "FetchError" || FETCH_FAILED.test(message.trim()) || FLATTENED_FAILURE.test(message) || CODE_IN_TEXT.test(message);
  if (!failed) return undefined;
  const text = texts.filter((t) => t !== undefined).join("\n");
  if (INPUT_CODE_IN_TEXT.test(text)) return undefined;
  return kindInText(text) ?? (BROWSER_OPAQUE_FAILURE.test(message.trim()) ? "cors-or-network" : "unknown");
}

/** The failure kind named by a code or a phrase in some text, if any. */
function kindInText(text: string): NetworkFailureKind | undefined {
  const code = CODE_IN_TEXT.exec(text)?.[1];
  if (code !== undefined) return KIND_BY_CODE[code];
  for (const [pattern, kind] of KIND_BY_PHRASE) if (pattern.test(text)) return kind;
  return undefined;
}

interface ErrorLike {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly cause?: unknown;
  readonly errors?: unknown;
}

/** The error, its causes and aggregated errors, breadth-first, without looping on cycles. */
function causeChain(error: unknown): ErrorLike[] {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  const out: ErrorLike[] = [];
  while (queue.length > 0 && out.length < 20) {
    const item = queue.shift();
    if (item === null || typeof item !== "object" || seen.has(item)) continue;
    seen.add(item);
    const like = item as ErrorLike;
    out.push(like);
    queue.push(like.cause);
    if (Array.isArray(like.errors)) queue.push(...(like.errors as unknown[]));
  }
  return out;
}
