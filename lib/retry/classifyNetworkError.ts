import { GraphNetworkError, type NetworkFailureKind } from "../errors/GraphNetworkError.js";

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

// The messages runtimes give a failed fetch: undici, Chromium, Firefox, Safari, and node-fetch.
const FETCH_FAILED = /^(fetch failed|failed to fetch|networkerror when attempting to fetch resource\.?|load failed|network error|terminated)$/i;
const SOCKET_CLOSED = /other side closed|socket hang up|socket closed/i;

/**
 * Tells whether an error thrown by `fetch` is a transport failure (no HTTP response), and which
 * kind. It looks through the whole `cause` chain (and `AggregateError.errors`), because undici
 * wraps the real reason: `TypeError: fetch failed` with `cause.code` such as `ECONNRESET`.
 * @param error - What `fetch` (or the middleware below) threw.
 * @returns The failure kind, or `undefined` when the error is not a network failure.
 */
export function classifyNetworkError(error: unknown): NetworkFailureKind | undefined {
  if (error instanceof GraphNetworkError) return error.kind;
  let looksLikeFetchFailure = false;
  let kind: NetworkFailureKind | undefined;
  for (const item of causeChain(error)) {
    const code = typeof item.code === "string" ? item.code : undefined;
    const message = typeof item.message === "string" ? item.message : "";
    if (code !== undefined && KIND_BY_CODE[code] !== undefined) {
      kind ??= KIND_BY_CODE[code];
    } else if (SOCKET_CLOSED.test(message)) {
      kind ??= "socket-closed";
    }
    if (FETCH_FAILED.test(message.trim()) || item.name === "FetchError") looksLikeFetchFailure = true;
  }
  if (kind !== undefined) return kind;
  return looksLikeFetchFailure ? "unknown" : undefined;
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
