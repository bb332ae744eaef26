/** Claims of a test token. */
export interface TestTokenOptions {
  /** The tenant, written as the `tid` claim. */
  readonly tenantId: string;
  /** The app, written as the `appid` claim. @default "00000000-0000-0000-0000-00000000a99e" */
  readonly appId?: string;
  /** Extra claims merged into the payload (they win over the defaults). @default {} */
  readonly claims?: Readonly<Record<string, unknown>>;
}

const DEFAULT_APP_ID = "00000000-0000-0000-0000-00000000a99e";
// 2100-01-01T00:00:00Z: far enough that a test token never expires.
const FAR_FUTURE_EXP = 4_102_444_800;

/**
 * Creates an unsigned app-only JWT (`header.payload.signature`) that the emulator (and any code
 * that reads `tid`/`appid` claims) accepts. Nothing verifies the signature segment, which is a
 * placeholder.
 * @param options - The tenant, app and extra claims.
 */
export function createTestToken(options: TestTokenOptions): string {
  const header = { typ: "JWT", alg: "none" };
  const payload = {
    aud: "https://graph.microsoft.com",
    iss: `https://sts.windows.net/${options.tenantId}/`,
    iat: 1_700_000_000,
    nbf: 1_700_000_000,
    exp: FAR_FUTURE_EXP,
    tid: options.tenantId,
    appid: options.appId ?? DEFAULT_APP_ID,
    roles: ["DeviceManagementConfiguration.ReadWrite.All"],
    ...options.claims,
  };
  return `${base64UrlJson(header)}.${base64UrlJson(payload)}.dW5zaWduZWQ`;
}

/**
 * Decodes the payload of a JWT without checking its signature.
 * @param token - The bearer token.
 * @returns The payload object, or `undefined` when the token is not a JWT.
 */
export function decodeJwtPayload(token: string): Readonly<Record<string, unknown>> | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const payload = parseBase64UrlJson(parts[1] ?? "");
  if (payload === undefined || parseBase64UrlJson(parts[0] ?? "") === undefined) return undefined;
  return payload;
}

/**
 * The tenant the emulator assigns to a token: the JWT `tid` claim, or the raw token when it is
 * not a JWT (so `"tenant-a"` works as a token in tests).
 * @param token - The bearer token.
 * @returns The tenant, or `undefined` for a JWT without a string `tid`.
 */
export function tenantFromToken(token: string): string | undefined {
  const payload = decodeJwtPayload(token);
  if (payload === undefined) return token;
  return typeof payload.tid === "string" && payload.tid !== "" ? payload.tid : undefined;
}

/**
 * The app the emulator assigns to a token: the JWT `appid` or `azp` claim, else `"unknown"`.
 * @param token - The bearer token.
 */
export function appFromToken(token: string): string {
  const payload = decodeJwtPayload(token);
  if (payload === undefined) return "unknown";
  for (const claim of [payload.appid, payload.azp]) {
    if (typeof claim === "string" && claim !== "") return claim;
  }
  return "unknown";
}

function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

function parseBase64UrlJson(part: string): Record<string, unknown> | undefined {
  if (part === "" || !/^[A-Za-z0-9_-]+={0,2}$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
