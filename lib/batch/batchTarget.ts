/** Matches the path of a `$batch` endpoint: `/v1.0/$batch`, `/beta/$batch` (any case, `$` maybe %-encoded). */
const BATCH_PATH = /^\/(?:v\d+(?:\.\d+)?|beta)\/(?:\$|%24)batch\/?$/i;

/**
 * Whether a request is a JSON batch: a `POST` to `/{version}/$batch`.
 * @param url - The absolute (or root-relative) request URL.
 * @param method - The HTTP method.
 */
export function isBatchRequest(url: string, method: string): boolean {
  if (method.toUpperCase() !== "POST") return false;
  let path: string;
  try {
    path = new URL(url, "https://graph.invalid").pathname;
  } catch {
    return false;
  }
  return BATCH_PATH.test(path);
}

/** A sub-request URL that names its version (`/v1.0/me`), as the official `BatchRequestContent` writes them. */
const VERSIONED = /^\/?(?:v\d+(?:\.\d+)?|beta)\//i;

/**
 * A sub-request URL relative to the version root: a leading version segment (which the official
 * `BatchRequestContent` keeps, and Graph accepts) is dropped.
 * @param subUrl - The sub-request's URL.
 */
export function versionRelativeUrl(subUrl: string): string {
  const relative = subUrl.replace(VERSIONED, "/");
  return relative.startsWith("/") ? relative : `/${relative}`;
}

/**
 * The URL a sub-request would have on its own: the batch URL's version root plus its relative URL.
 * @param batchUrl - The `$batch` URL.
 * @param subUrl - The sub-request's URL.
 */
export function subRequestUrl(batchUrl: string, subUrl: string): string {
  const root = batchUrl.replace(/\/(?:\$|%24)batch\/?(?:\?.*)?$/i, "");
  return `${root}${versionRelativeUrl(subUrl)}`;
}
