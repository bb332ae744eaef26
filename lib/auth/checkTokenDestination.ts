import { GRAPH_HOSTS } from "../chain/graphHosts.js";
import { isLoopbackHostname } from "../chain/isLoopbackHostname.js";

/** Why a token may not be sent to a URL. */
export type TokenRefusalReason =
  /** The URL could not be parsed. */
  | "invalid-url"
  /** The scheme is neither `https:` nor `http:`. */
  | "unsupported-scheme"
  /** The host is neither a Graph host nor in `customHosts`. */
  | "unknown-host"
  /** Plain `http:` to a host that is not loopback. */
  | "insecure-scheme";

/** The outcome of {@link checkTokenDestination}. */
export type TokenDestinationCheck =
  | { readonly allowed: true; readonly url: URL }
  | { readonly allowed: false; readonly reason: TokenRefusalReason; readonly url: URL | undefined };

/**
 * Decides whether a bearer token may be sent to a URL. It may when the host is a Graph host
 * ({@link GRAPH_HOSTS}) or matches an entry of `customHosts`, and the scheme is `https:`, or
 * `http:` to a loopback host (127.0.0.0/8, `[::1]`, `localhost`).
 *
 * A `customHosts` entry is a host name (`example.com`, matching any port) or `host:port`
 * (matching that port only); case does not matter. Entries that are not valid hosts never match.
 *
 * @param url - The absolute request URL.
 * @param customHosts - Extra hosts that may receive the token.
 */
export function checkTokenDestination(url: string, customHosts?: Iterable<string>): TokenDestinationCheck {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { allowed: false, reason: "invalid-url", url: undefined };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    return { allowed: false, reason: "unsupported-scheme", url: parsed };
  }
  if (!GRAPH_HOSTS.has(parsed.hostname) && !matchesCustomHost(parsed, customHosts)) {
    return { allowed: false, reason: "unknown-host", url: parsed };
  }
  if (parsed.protocol === "http:" && !isLoopbackHostname(parsed.hostname)) {
    return { allowed: false, reason: "insecure-scheme", url: parsed };
  }
  return { allowed: true, url: parsed };
}

/**
 * Parses one `customHosts` entry into a hostname and an optional port, normalised the way the
 * URL parser normalises request URLs. Returns `undefined` for anything that is not a bare host.
 * @param entry - A host name, an IP address, or `host:port`.
 */
export function parseHostEntry(entry: string): { readonly hostname: string; readonly port: string | undefined } | undefined {
  const text = entry.trim();
  if (text === "" || /[/\\?#@\s]/.test(text)) return undefined;
  // A bare IPv6 address ("::1") has several colons and needs brackets to be read as a host.
  const bareIpv6 = !text.startsWith("[") && text.indexOf(":") !== text.lastIndexOf(":");
  const portMatch = bareIpv6 ? null : /:(\d+)$/.exec(text);
  let parsed: URL;
  try {
    parsed = new URL(`http://${bareIpv6 ? `[${text}]` : text}`);
  } catch {
    return undefined;
  }
  return { hostname: parsed.hostname, port: portMatch?.[1] === undefined ? undefined : String(Number(portMatch[1])) };
}

function matchesCustomHost(url: URL, customHosts: Iterable<string> | undefined): boolean {
  if (customHosts === undefined) return false;
  const urlPort = url.port !== "" ? url.port : url.protocol === "https:" ? "443" : "80";
  for (const entry of customHosts) {
    if (typeof entry !== "string") continue;
    const host = parseHostEntry(entry);
    if (host === undefined || host.hostname !== url.hostname) continue;
    if (host.port === undefined || host.port === urlPort) return true;
  }
  return false;
}
