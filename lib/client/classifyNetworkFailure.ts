import type { NetworkFailureKind } from "../errors/GraphNetworkError.js";

const PATTERNS: ReadonlyArray<readonly [RegExp, NetworkFailureKind]> = [
  [/ECONNRESET|connection reset/i, "connection-reset"],
  [/ECONNREFUSED|connection refused/i, "connection-refused"],
  [/ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|timed? ?out/i, "timeout"],
  [/ENOTFOUND|EAI_AGAIN|getaddrinfo/i, "dns"],
  [/socket hang up|other side closed|UND_ERR_SOCKET|terminated|EPIPE/i, "socket-closed"],
];

/**
 * Classifies a transport failure from the text the runtime gives (the official client keeps only
 * the message and stack of the original error, so codes are read from there).
 * @param texts - Messages, codes or stacks of the failure and its causes.
 */
export function classifyNetworkFailure(...texts: ReadonlyArray<string | undefined>): NetworkFailureKind {
  const text = texts.filter((t) => t !== undefined).join("\n");
  for (const [pattern, kind] of PATTERNS) if (pattern.test(text)) return kind;
  return "unknown";
}

/**
 * Whether a thrown error looks like "no HTTP response": `TypeError: fetch failed` (undici),
 * node-fetch's `FetchError`, or the official client's flattened `GraphError` of either.
 * @param name - The error's `name`, or the flattened `GraphError`'s `code`.
 * @param message - The error message.
 */
export function looksLikeNetworkFailure(name: string | null | undefined, message: string): boolean {
  if (name === "TypeError" || name === "FetchError") return true;
  return /fetch failed|network ?error|Failed to fetch|Load failed|NetworkError|ECONN|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up/i.test(message);
}
