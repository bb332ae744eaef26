import { redactSecrets } from "../chain/redactSecrets.js";

/**
 * Copies a Redis failure into a plain `Error` whose message carries no secrets: credentials in
 * connection URLs (`redis://user:pass@host`), `AUTH` arguments and bearer tokens are masked. The
 * original error is not attached, since client errors can hold connection options.
 * @param error - What the Redis call threw.
 */
export function redactRedisError(error: unknown): Error {
  const name = error instanceof Error ? error.name : "Error";
  const message = error instanceof Error ? error.message : String(error);
  const redacted = new Error(redactRedisMessage(message));
  redacted.name = name;
  return redacted;
}

/**
 * Masks secrets in a Redis message: the shared {@link redactSecrets} pass, plus `AUTH` arguments.
 * @param text - The text to clean.
 */
export function redactRedisMessage(text: string): string {
  return redactSecrets(text).replace(/\b(AUTH)\s+\S+(\s+\S+)?/gi, "$1 ***");
}
