import { BoundedCache } from "../chain/BoundedCache.js";
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
  | { readonly allowed: true; readonly origin: Origin }
  | { readonly allowed: false; readonly reason: TokenRefusalReason; readonly origin: Origin | undefined };

/** What the check reads of a URL: its scheme and host, as `new URL()` normalises them. */
export interface Origin {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: string;
}

/**
 * The scheme and authority at the start of an absolute URL, and maybe a little of its path: the
 * match stops only at "/", "?" or "#", so it holds the whole authority (which a backslash also ends
 * in http(s) URLs). Parsed alone it gives the scheme, host and port that the whole URL gives:
 * what follows the authority cannot change them.
 */
const ORIGIN_PREFIX = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;
/** At most this many origins and host entries are remembered (a service talks to a few). */
const CACHE_SIZE = 256;

/** A `customHosts` entry, parsed. */
interface ParsedHostEntry {
  readonly hostname: string;
  readonly port: string | undefined;
}

function parseOrigin(url: string): Origin | undefined {
  const prefix = ORIGIN_PREFIX.exec(url)?.[0];
  if (prefix === undefined) return originOf(url);
  // A prefix that does not parse alone ("https:///host", whose extra slashes the parser skips) is read whole.
  return origins.get(prefix) ?? originOf(url);
}

function originOf(url: string): Origin | undefined {
  try {
    const { protocol, hostname, port } = new URL(url);
    return { protocol, hostname, port };
  } catch {
    return undefined;
  }
}

/** Parsed origins by URL prefix: every request is checked, and `new URL()` is the costliest part of the check. */
const origins = new BoundedCache(CACHE_SIZE, originOf);

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
  const origin = parseOrigin(url);
  if (origin === undefined) return { allowed: false, reason: "invalid-url", origin: undefined };
  if (origin.protocol !== "https:" && origin.protocol !== "http:") {
    return { allowed: false, reason: "unsupported-scheme", origin };
  }
  if (!GRAPH_HOSTS.has(origin.hostname) && !matchesCustomHost(origin, customHosts)) {
    return { allowed: false, reason: "unknown-host", origin };
  }
  if (origin.protocol === "http:" && !isLoopbackHostname(origin.hostname)) {
    return { allowed: false, reason: "insecure-scheme", origin };
  }
  return { allowed: true, origin };
}

/**
 * Parses one `customHosts` entry into a hostname and an optional port, normalised the way the
 * URL parser normalises request URLs. Returns `undefined` for anything that is not a bare host.
 * @param entry - A host name, an IP address, or `host:port`.
 */
export function parseHostEntry(entry: string): ParsedHostEntry | undefined {
  return hostEntries.get(entry);
}

function readHostEntry(entry: string): ParsedHostEntry | undefined {
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

/** Parsed `customHosts` entries: each request matches the same few. */
const hostEntries = new BoundedCache(CACHE_SIZE, readHostEntry);

function matchesCustomHost(url: Origin, customHosts: Iterable<string> | undefined): boolean {
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
