/**
 * Copies a failure (e.g. of a throttle store) into a plain `Error` whose message carries no secrets: credentials in
 * connection URLs (`redis://user:pass@host`), `AUTH` arguments and bearer tokens are masked. The
 * original error is not attached, since client errors (e.g. of a Redis client) can hold connection options.
 * @param error - What the failed call threw.
 */
export function redactError(error: unknown): Error {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  const redacted = new Error(redactSecrets(message));
  redacted.name = name;
  return redacted;
}

/**
 * Masks secrets in a message.
 * @param text - The text to clean.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/(\w+:\/\/)[^@\s/]*@/g, "$1***@")
    .replace(/\b(AUTH)\s+\S+(\s+\S+)?/gi, "$1 ***")
    .replace(/\b(Bearer)\s+[\w.~+/=-]+/gi, "$1 ***");
}
