/**
 * What a normal (not throttled) response says about how close the key is to a server limit.
 * Every field is optional: servers send a few of these headers, near a limit only.
 */
export interface RateLimitHint {
  /** Requests (or units) allowed per window, if told. */
  readonly limit?: number;
  /** Requests (or units) still allowed before the window resets, if told. */
  readonly remaining?: number;
  /** Milliseconds until the quota resets, if told. */
  readonly resetMs?: number;
  /** The policy's window in milliseconds, if told. */
  readonly windowMs?: number;
  /** Share of the limit already used (Graph's `x-ms-throttle-limit-percentage`, 0.8–1.8). */
  readonly usedRatio?: number;
}

/**
 * Reads the proactive rate-limit headers of a response, or `undefined` when it has none:
 * - the IETF draft's separate fields `RateLimit-Limit` (optionally with a policy, `100, 100;w=60`),
 *   `RateLimit-Remaining` and `RateLimit-Reset` (delta seconds), as SharePoint and OneDrive send
 *   them near 80% of their quota;
 * - the draft's structured fields: `RateLimit: limit=100, remaining=50, reset=30` (draft 03–06) or
 *   `RateLimit: "default";r=50;t=30` with `RateLimit-Policy: "default";q=100;w=60` (draft 07+);
 *   with several policies, the one with the least remaining counts;
 * - Graph's `x-ms-throttle-limit-percentage` (share of the limit used).
 *
 * Malformed or negative values are ignored (never guessed).
 * @param headers - The response headers.
 */
export function readRateLimitHeaders(headers: Headers): RateLimitHint | undefined {
  // Cheap pre-check, on every answer: none of these headers means no hint (one lookup each).
  const structured = headers.get("ratelimit");
  const remainingField = headers.get("ratelimit-remaining");
  const limitField = headers.get("ratelimit-limit");
  const policyField = headers.get("ratelimit-policy");
  const percentage = headers.get("x-ms-throttle-limit-percentage");
  if (structured === null && remainingField === null && limitField === null && policyField === null && percentage === null) return undefined;
  const hint: Mutable<RateLimitHint> = {};
  if (structured !== null) Object.assign(hint, readStructured(structured));
  const policy = policyField === null ? undefined : readPolicy(policyField);
  if (policy?.limit !== undefined) hint.limit ??= policy.limit;
  if (policy?.windowMs !== undefined) hint.windowMs ??= policy.windowMs;
  if (limitField !== null) {
    // `100` or `100, 100;w=60`: the first item is the limit, the first `w` parameter the window.
    const items = splitOutsideQuotes(limitField, ",").map(readPolicy);
    const limit = items[0]?.limit;
    const windowMs = items.find((item) => item?.windowMs !== undefined)?.windowMs;
    if (limit !== undefined) hint.limit ??= limit;
    if (windowMs !== undefined) hint.windowMs ??= windowMs;
  }
  if (remainingField !== null) {
    const remaining = count(remainingField.split(",")[0]);
    if (remaining !== undefined) hint.remaining ??= remaining;
  }
  const reset = headers.get("ratelimit-reset");
  if (reset !== null) {
    const resetMs = scaled(seconds(reset.split(",")[0]));
    if (resetMs !== undefined) hint.resetMs ??= resetMs;
  }
  if (percentage !== null) {
    const ratio = Number(percentage.trim());
    if (percentage.trim() !== "" && Number.isFinite(ratio) && ratio >= 0) hint.usedRatio = ratio;
  }
  return Object.keys(hint).length === 0 ? undefined : hint;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** `RateLimit`: the dictionary form (draft 03–06) or the list of policies (draft 07+). */
function readStructured(value: string): RateLimitHint {
  let best: Mutable<RateLimitHint> | undefined;
  const dictionary: Mutable<RateLimitHint> = {};
  for (const member of splitOutsideQuotes(value, ",")) {
    const [head = "", ...params] = splitOutsideQuotes(member, ";");
    const eq = head.indexOf("=");
    if (eq > 0 && !head.trimStart().startsWith('"')) {
      // `limit=100`, `remaining=50`, `reset=30` (dictionary members).
      const name = head.slice(0, eq).trim().toLowerCase();
      const raw = head.slice(eq + 1);
      if (name === "limit") setIf(dictionary, "limit", count(raw));
      else if (name === "remaining") setIf(dictionary, "remaining", count(raw));
      else if (name === "reset") setIf(dictionary, "resetMs", scaled(seconds(raw)));
      continue;
    }
    // `"policy";r=50;t=30`: one policy's remaining quota and reset.
    const policy: Mutable<RateLimitHint> = {};
    for (const param of params) {
      const [name = "", raw = ""] = param.split("=", 2);
      const key = name.trim().toLowerCase();
      if (key === "r") setIf(policy, "remaining", count(raw));
      else if (key === "t") setIf(policy, "resetMs", scaled(seconds(raw)));
    }
    if (policy.remaining !== undefined && (best?.remaining === undefined || policy.remaining < best.remaining)) best = policy;
  }
  return { ...dictionary, ...best };
}

/** `RateLimit-Policy` (`"p";q=100;w=60` or `100;w=60`): the first policy's quota and window. */
function readPolicy(value: string): RateLimitHint | undefined {
  const [first = ""] = splitOutsideQuotes(value, ",");
  const [head = "", ...params] = splitOutsideQuotes(first, ";");
  const policy: Mutable<RateLimitHint> = {};
  setIf(policy, "limit", count(head));
  for (const param of params) {
    const [name = "", raw = ""] = param.split("=", 2);
    const key = name.trim().toLowerCase();
    if (key === "q") setIf(policy, "limit", count(raw));
    else if (key === "w") setIf(policy, "windowMs", scaled(seconds(raw)));
  }
  return Object.keys(policy).length === 0 ? undefined : policy;
}

function setIf<K extends keyof RateLimitHint>(target: Mutable<RateLimitHint>, key: K, value: RateLimitHint[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** A non-negative integer, else `undefined`. */
function count(raw: string | undefined): number | undefined {
  const text = raw?.trim() ?? "";
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** Non-negative (possibly fractional) seconds, else `undefined`. */
function seconds(raw: string | undefined): number | undefined {
  const text = raw?.trim() ?? "";
  return /^\d+(\.\d+)?$/.test(text) ? Number(text) : undefined;
}

function scaled(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1000;
}

/** Splits on `separator` outside double quotes (structured-field strings may hold either). */
function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let start = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i += 1) {
    const c = value[i];
    if (c === '"' && value[i - 1] !== "\\") quoted = !quoted;
    else if (c === separator && !quoted) {
      parts.push(value.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(value.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== "");
}
