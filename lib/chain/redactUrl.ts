/**
 * Returns a URL that is safe for events and logs: credentials removed, fragment removed, and the
 * value of every query parameter replaced by `REDACTED` except OData system options (`$select`,
 * `$filter`...), which describe the query rather than carry secrets (unlike `code`, `sig`,
 * `token`...). A value that is not an absolute URL loses its whole query.
 * @param url - The request URL.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/[?#].*$/s, "");
  }
  parsed.username = "";
  parsed.password = "";
  parsed.hash = "";
  const params = new URLSearchParams();
  for (const [key, value] of parsed.searchParams) params.append(key, key.startsWith("$") ? value : "REDACTED");
  parsed.search = params.toString();
  return parsed.toString();
}
