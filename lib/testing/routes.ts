/** What a request URL points at. */
export type Route =
  | { readonly kind: "summary"; readonly version: "v1.0" | "beta"; readonly query: URLSearchParams }
  | { readonly kind: "other"; readonly version: "v1.0" | "beta" }
  | { readonly kind: "unknown"; readonly segment: string };

const ENTITY_SEGMENTS = ["devicemanagement", "softwareupdatestatussummary"];

/**
 * What a served request of another path gets (`otherPaths: "empty"`): a `GET` an empty
 * collection, any other method `204`. One answer for a top-level request and a batch's.
 * @param method - The upper-case method.
 */
export function otherPathAnswer(method: string): { readonly status: 200 | 204; readonly body: { readonly value: readonly never[] } | undefined } {
  return method === "GET" ? { status: 200, body: { value: [] } } : { status: 204, body: undefined };
}

/**
 * Matches `/{v1.0|beta}/deviceManagement/softwareUpdateStatusSummary`, case-insensitively like
 * Graph, tolerating a trailing slash and a query string.
 * @param rawUrl - The request target, e.g. `/v1.0/deviceManagement/softwareUpdateStatusSummary?$select=id`.
 * @param otherPaths - With `"empty"`, any other versioned path is an `other` route (see `EmulatorOptions.otherPaths`).
 * @returns The route, or the first segment that matched nothing (for the 404 message).
 */
export function matchRoute(rawUrl: string, otherPaths: "not-found" | "empty" = "not-found"): Route {
  const route = matchEntity(rawUrl);
  if (route.kind !== "unknown" || otherPaths === "not-found") return route;
  const version = /^\/(v1\.0|beta)(?:[/?]|$)/i.exec(rawUrl)?.[1]?.toLowerCase();
  return version === "v1.0" || version === "beta" ? { kind: "other", version } : route;
}

/**
 * Whether a request on a route is served, and so meets the limits: the entity's `GET` and `PATCH`,
 * and any method of another path (`otherPaths: "empty"`). Anything else gets a 404 or a 405.
 * @param route - The request's route.
 * @param method - The upper-case method.
 */
export function isServed(route: Route, method: string): boolean {
  return route.kind === "other" || (route.kind === "summary" && (method === "GET" || method === "PATCH"));
}

/** The entity's route, or `unknown` with the first segment that matched nothing. */
function matchEntity(rawUrl: string): Route {
  const queryAt = rawUrl.indexOf("?");
  const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const segments = path.split("/").filter((segment) => segment !== "");
  const version = segments[0]?.toLowerCase();
  if (version !== "v1.0" && version !== "beta") return { kind: "unknown", segment: segments[0] ?? "" };
  for (let i = 0; i < ENTITY_SEGMENTS.length; i += 1) {
    if (segments[i + 1]?.toLowerCase() !== ENTITY_SEGMENTS[i]) return { kind: "unknown", segment: segments[i + 1] ?? "" };
  }
  if (segments.length > ENTITY_SEGMENTS.length + 1) return { kind: "unknown", segment: segments[ENTITY_SEGMENTS.length + 1] ?? "" };
  return { kind: "summary", version, query: new URLSearchParams(queryAt < 0 ? "" : rawUrl.slice(queryAt + 1)) };
}
