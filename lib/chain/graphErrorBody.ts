/** The fields of a Graph error body that callers branch on or quote to support. */
export interface GraphErrorBody {
  /** `error.code`, e.g. `TooManyRequests`. */
  readonly code: string | undefined;
  /** `error.message`. */
  readonly message: string | undefined;
  /** `error.innerError["request-id"]` (or `requestId`). */
  readonly requestId: string | undefined;
  /** `error.innerError.date`, as written (Graph omits the zone; it is UTC). */
  readonly date: string | undefined;
}

/**
 * Reads a Graph error body (`{"error":{"code","message","innerError":{...}}}`, `innerError` in any
 * of Graph's two spellings). Never throws.
 * @param text - The response body, or `null` when there was none.
 * @returns The fields, or `undefined` when the text is not a Graph error.
 */
export function parseGraphErrorBody(text: string | null): GraphErrorBody | undefined {
  if (text === null || text === "") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = field(parsed, "error");
  if (typeof error !== "object" || error === null) return undefined;
  const inner = field(error, "innerError") ?? field(error, "innererror");
  const code = stringField(error, "code");
  const message = stringField(error, "message");
  if (code === undefined && message === undefined) return undefined;
  return {
    code,
    message,
    requestId: stringField(inner, "request-id") ?? stringField(inner, "requestId"),
    date: stringField(inner, "date"),
  };
}

/**
 * The date a support case should quote: the response's `Date` header, else the body's
 * `innerError.date` (read as UTC when it has no zone).
 * @param header - The `Date` header, or `null`.
 * @param innerDate - `innerError.date`, if any.
 * @returns The date, or `undefined` when neither parses.
 */
export function graphResponseDate(header: string | null, innerDate: string | undefined): Date | undefined {
  if (header !== null) {
    const fromHeader = new Date(header);
    if (!Number.isNaN(fromHeader.getTime())) return fromHeader;
  }
  if (innerDate !== undefined) {
    const zoned = /(Z|[+-]\d{2}:?\d{2})$/i.test(innerDate) ? innerDate : `${innerDate}Z`;
    const fromBody = new Date(zoned);
    if (!Number.isNaN(fromBody.getTime())) return fromBody;
  }
  return undefined;
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null && Object.prototype.hasOwnProperty.call(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  const found = field(value, key);
  return typeof found === "string" && found !== "" ? found : undefined;
}
