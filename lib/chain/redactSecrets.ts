/** What replaces a secret. */
const MASK = "***";

/** Query and form keys whose values are credentials. */
const SECRET_KEYS = "access_token|refresh_token|id_token|client_secret|client_assertion|assertion|password|code|sig|signature|token";

/** Ordered: the quoted form of a header value first, so a token broken by a line break is masked whole. */
const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // Credentials in URLs: scheme://user:pass@host
  [/(\b[a-z][a-z0-9+.-]*:\/\/)[^@\s/]*@/gi, `$1${MASK}@`],
  // A quoted header value: "Bearer …" up to the closing quote (as in `Headers.append: "Bearer …" is an invalid header value`).
  [/(["'`])(Bearer|Basic)\s[^"'`]*\1/gi, `$1$2 ${MASK}$1`],
  [/\b(Bearer)\s+[^\s"'`,;]+/gi, `$1 ${MASK}`],
  [/\b(Basic)\s+[A-Za-z0-9+/=]{6,}/g, `$1 ${MASK}`],
  // JWTs (and their first segments) wherever they stand: base64url of '{"'.
  [/\beyJ[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*){0,2}/g, MASK],
  [new RegExp(`\\b(${SECRET_KEYS})=[^&\\s"'#]+`, "gi"), `$1=${MASK}`],
  [new RegExp(`"(${SECRET_KEYS})"\\s*:\\s*"[^"]*"`, "gi"), `"$1":"${MASK}"`],
  // Redis `AUTH [user] password` as echoed in some client errors.
  [/\b(AUTH)\s+\S+(\s+\S+)?/gi, `$1 ${MASK}`],
];

/**
 * Masks secrets in a message built from a lower layer's text (a `fetch` error, a provider error,
 * a server's error message, a Redis error): bearer and basic credentials, JWTs, URL credentials,
 * and the values of `access_token=`, `client_secret=`, `sig=` and similar keys (also as JSON
 * properties), and Redis `AUTH` arguments. The one redaction pass of the package; URLs for events go through `redactUrl`.
 * @param text - The text to clean.
 * @returns The text with every secret replaced by `***`.
 */
export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/**
 * Copies a failure (of a throttle store, say) into a plain `Error` whose message went through
 * {@link redactSecrets}. The original is not attached, since client errors (a Redis client's)
 * can hold connection options.
 * @param error - What the failed call threw.
 */
export function redactError(error: unknown): Error {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  const redacted = new Error(redactSecrets(message));
  redacted.name = name;
  return redacted;
}
