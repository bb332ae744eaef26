/**
 * Whether a URL hostname (as `new URL(...).hostname` gives it: lower case, IPv4 normalised,
 * IPv6 in brackets) names this machine: `localhost`, 127.0.0.0/8, `[::1]`, or an IPv4-mapped
 * 127.x address (`[::ffff:7f00:1]`).
 * @param hostname - A hostname as produced by the WHATWG URL parser.
 */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === "localhost" || host === "localhost.") return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)) return true;
  if (host === "[::1]") return true;
  // The URL parser writes ::ffff:127.0.0.1 as [::ffff:7f00:1]; the first hextet holds "127".
  return /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(host);
}
