/** What a request URL points at. */
export type Route =
  | { readonly kind: "summary"; readonly version: "v1.0" | "beta"; readonly query: URLSearchParams }
  | { readonly kind: "unknown"; readonly segment: string };

const ENTITY_SEGMENTS = ["devicemanagement", "softwareupdatestatussummary"];

/**
 * Matches `/{v1.0|beta}/deviceManagement/softwareUpdateStatusSummary`, case-insensitively like
 * Graph, tolerating a trailing slash and a query string.
 * @param rawUrl - The request target, e.g. `/v1.0/deviceManagement/softwareUpdateStatusSummary?$select=id`.
 * @returns The route, or the first segment that matched nothing (for the 404 message).
 */
export function matchRoute(rawUrl: string): Route {
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
