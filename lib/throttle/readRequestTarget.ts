import type { Context } from "@microsoft/microsoft-graph-client";
import { workloadOf, type GraphWorkload } from "./graphWorkload.js";

/** What the throttle needs to know about a request, read once per attempt. */
export interface RequestTarget {
  /** Lower-case host name without port, or `""` when the URL cannot be parsed. */
  readonly host: string;
  /** The URL path after the version segment (`/deviceManagement/...`), without query. */
  readonly path: string;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Whether the method writes (POST, PUT, PATCH, DELETE). */
  readonly isWrite: boolean;
  /** The Graph workload the path calls, limited on its own (`/me`'s mailbox as `outlook:me`). */
  readonly workload: GraphWorkload;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const VERSION_SEGMENT = /^(?:v\d+(?:\.\d+)?|beta)$/i;

/**
 * Reads host, path and method of the request in a middleware context.
 * @param context - The middleware context.
 */
export function readRequestTarget(context: Context): RequestTarget {
  const { url, method } = requestLine(context);
  return targetOf(url, method);
}

/**
 * The raw URL and upper-case method of a request, read without parsing the URL.
 * @param context - The middleware context.
 */
export function requestLine(context: Context): { readonly url: string; readonly method: string } {
  const request = context.request;
  const url = typeof request === "string" ? request : request.url;
  const fromRequest = typeof request === "string" ? undefined : request.method;
  return { url, method: (context.options?.method ?? fromRequest ?? "GET").toUpperCase() };
}

/**
 * The target of a request line.
 * @param rawUrl - The request URL.
 * @param method - The upper-case method.
 */
export function targetOf(rawUrl: string, method: string): RequestTarget {
  let host = "";
  let pathname: string;
  try {
    const url = new URL(rawUrl);
    host = url.hostname.toLowerCase();
    pathname = url.pathname;
  } catch {
    // A relative or odd URL: keep the raw text as the path, minus any query.
    pathname = rawUrl.split("?")[0] ?? "";
  }
  const path = stripVersion(pathname);
  return { host, path, method, isWrite: WRITE_METHODS.has(method), workload: workloadOf(path) };
}

/**
 * Drops the leading version segment (`/v1.0`, `/beta`) of a URL path.
 * @param pathname - The URL path.
 */
export function stripVersion(pathname: string): string {
  const segments = pathname.split("/");
  // segments[0] is "" for an absolute path.
  if (segments.length > 1 && VERSION_SEGMENT.test(segments[1] ?? "")) segments.splice(1, 1);
  const path = segments.join("/");
  return path === "" ? "/" : path;
}
