/**
 * Parses a `Retry-After` header value into milliseconds to wait.
 *
 * Accepts delta-seconds, including fractions (`2.128`, which Graph sends), and the three
 * HTTP-date forms (IMF-fixdate, RFC 850 and asctime). A date in the past means 0. Anything
 * else (empty, negative, garbage) yields `undefined`, so the caller falls back to backoff.
 *
 * @param value - The raw header value, or `null` when absent.
 * @param nowMs - The current time in ms since epoch (for HTTP-dates). @default Date.now()
 * @returns Milliseconds to wait (rounded up to a whole millisecond), or `undefined`.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    return Math.ceil(Number(text) * 1000);
  }
  // Only strings that look like an HTTP-date: a weekday name first, as all three forms have.
  if (!/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /i.test(text)) return undefined;
  const dateMs = parseHttpDate(text, nowMs);
  if (dateMs === undefined) return undefined;
  return Math.max(0, Math.ceil(dateMs - nowMs));
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/** Parses IMF-fixdate, RFC 850 and asctime dates (always GMT) without relying on `Date.parse` quirks. */
function parseHttpDate(text: string, nowMs: number): number | undefined {
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  let m = /^[A-Za-z]{3}, (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(text);
  if (m) return utc(m[3], m[2], m[1], m[4], m[5], m[6]);
  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years within 50 years: RFC 9110 §5.6.7)
  m = /^[A-Za-z]+, (\d{2})-([A-Za-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/.exec(text);
  if (m) {
    const yy = Number(m[3]);
    const thisYear = new Date(nowMs).getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + yy;
    if (year > thisYear + 50) year -= 100;
    return utc(String(year), m[2], m[1], m[4], m[5], m[6]);
  }
  // asctime: Sun Nov  6 08:49:37 1994
  m = /^[A-Za-z]{3} ([A-Za-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/.exec(text);
  if (m) return utc(m[6], m[1], m[2], m[3], m[4], m[5]);
  return undefined;
}

function utc(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
): number | undefined {
  const monthIndex = MONTHS.indexOf((month ?? "").toLowerCase());
  if (monthIndex < 0) return undefined;
  const values = [year, day, hour, minute, second].map((part) => Number((part ?? "").trim()));
  const [y, d, h, mi, s] = values as [number, number, number, number, number];
  if (values.some((v) => !Number.isInteger(v)) || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return undefined;
  return Date.UTC(y, monthIndex, d, h, mi, s);
}
