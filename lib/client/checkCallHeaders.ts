import type { ValidationIssue } from "../errors/ValidationError.js";

/** RFC 9110 `token`: the characters a header name may hold. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Headers a caller may not set per call, and why. */
const REFUSED_HEADERS: ReadonlyMap<string, string> = new Map([
  ["authorization", "is set from the client's authentication provider, which checks where the token may go"],
  ["content-length", "is computed from the body; a wrong value makes the server wait for bytes that never come"],
  ["transfer-encoding", "is chosen by the HTTP transport from the body"],
  ["host", "comes from the request URL"],
  ["connection", "is managed by the HTTP transport"],
  ["keep-alive", "is managed by the HTTP transport"],
  ["upgrade", "is managed by the HTTP transport"],
  ["expect", "is managed by the HTTP transport"],
]);

/**
 * Checks per-call headers before anything is sent: every name must be a valid header name and
 * not one the client or the transport owns (`Authorization`, `Content-Length`, `Host`,
 * `Transfer-Encoding`, `Connection`...), and every value a string (or a number) without control
 * characters (tab excepted) or characters above U+00FF, which `fetch` would refuse.
 * @param headers - The caller's headers.
 * @returns One issue per problem (path `headers.<name>`), none when all are fine. Values are never quoted.
 */
export function checkCallHeaders(headers: unknown): ValidationIssue[] {
  if (headers === undefined) return [];
  if (headers === null || typeof headers !== "object" || Array.isArray(headers)) {
    return [{ path: "headers", message: "must be an object of header names to string values" }];
  }
  const issues: ValidationIssue[] = [];
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    const path = `headers.${name}`;
    if (!HEADER_NAME.test(name)) {
      issues.push({ path, message: "is not a valid header name (letters, digits and !#$%&'*+-.^_`|~ only)" });
      continue;
    }
    const refused = REFUSED_HEADERS.get(name.toLowerCase());
    if (refused !== undefined) {
      issues.push({ path, message: `may not be set per call: it ${refused}` });
      continue;
    }
    if (typeof value === "number") continue; // fetch writes it as digits
    if (typeof value !== "string") {
      // A non-string client-request-id is ignored (a fresh one is sent), as it always was.
      if (name.toLowerCase() !== "client-request-id") issues.push({ path, message: `must be a string, got ${value === null ? "null" : typeof value}` });
    } else {
      const problem = valueProblem(value);
      if (problem !== undefined) issues.push({ path, message: `contains ${problem}, which a header value cannot hold` });
    }
  }
  return issues;
}

/** What makes a header value unsendable: a control character other than tab, or a character above U+00FF. */
function valueProblem(value: string): string | undefined {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return "a control character (such as a line break)";
    if (code > 0xff) return "a character above U+00FF";
  }
  return undefined;
}
