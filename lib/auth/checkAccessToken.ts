import type { AuthenticationProblem } from "../errors/AuthenticationError.js";

/** A problem with a token, and the sentence that names it (never the token itself). */
export interface AccessTokenProblem {
  readonly problem: Exclude<AuthenticationProblem, "provider-failed">;
  readonly message: string;
}

/**
 * Checks what an authentication provider returned before it goes into an `Authorization`
 * header: it must be a non-empty string of visible ASCII characters (RFC 6750's `b64token` and
 * every real access token are). Control characters (`\n`, `\0`...) would make `fetch` throw
 * with the header value in its message; whitespace or non-ASCII would send a broken header.
 * @param token - What the provider returned.
 * @returns The problem, or `undefined` when the token can be sent.
 */
export function checkAccessToken(token: unknown): AccessTokenProblem | undefined {
  if (typeof token !== "string") {
    return { problem: "not-a-string", message: `The authentication provider returned ${token === null ? "null" : typeof token} instead of an access token string` };
  }
  if (token.trim() === "") return { problem: "empty", message: "The authentication provider returned no access token" };
  const bad = /[^\x21-\x7e]/.exec(token)?.[0];
  if (bad !== undefined) {
    return { problem: "invalid-characters", message: `The access token contains ${describeCharacter(bad)}, which a bearer token cannot hold; nothing was sent` };
  }
  return undefined;
}

function describeCharacter(char: string): string {
  if (char === "\n" || char === "\r") return "a line break";
  if (char === " " || char === "\t") return "whitespace";
  const code = char.charCodeAt(0);
  if (code < 0x20 || code === 0x7f) return `a control character (U+${code.toString(16).toUpperCase().padStart(4, "0")})`;
  return "a non-ASCII character";
}
