import { describeValue } from "../chain/describeValue.js";
import type { OptionRule } from "../chain/resolveOptions.js";
import { parseHostEntry } from "./checkTokenDestination.js";

/**
 * The rule of a `customHosts` option (of `createGraphClient` and `SecureAuthenticationHandler`):
 * an iterable of `host` or `host:port` entries, returned trimmed and lower-cased as a `Set` (what
 * the official client expects). Each bad entry is reported at its index.
 */
export const customHostsOption: OptionRule<Set<string>> = (value, path, report) => {
  const hosts = new Set<string>();
  if (typeof value !== "object" || value === null || typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] !== "function") {
    report(path, `must be an array or Set of host names, e.g. ["127.0.0.1"], got ${describeValue(value)}`);
    return hosts;
  }
  let index = 0;
  for (const entry of value as Iterable<unknown>) {
    if (typeof entry !== "string" || parseHostEntry(entry) === undefined) {
      report(
        `${path}[${index}]`,
        `must be a host name or host:port, without scheme or path, got ${describeValue(entry)} (for "http://example.com:3000/" use "example.com")`,
      );
    } else {
      hosts.add(entry.trim().toLowerCase());
    }
    index += 1;
  }
  return hosts;
};
