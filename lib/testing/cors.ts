import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { arrayOf, valueWhere } from "../chain/optionRules.js";
import { nestedOptions, optionSchema, type OptionRule } from "../chain/resolveOptions.js";
import type { EmulatorCors } from "./types.js";

/** {@link EmulatorCors} with its defaults filled in; `undefined` when CORS is refused. */
export interface ResolvedEmulatorCors {
  /** The `Access-Control-Allow-Origin` value. */
  readonly allowOrigin: string;
  /** The response headers listed in `Access-Control-Expose-Headers`. */
  readonly exposeHeaders: readonly string[];
}

/**
 * The response headers exposed by default. Like Graph, `Retry-After` is not among them, so a
 * browser client cannot read it unless a test asks for it.
 */
export const DEFAULT_EXPOSED_HEADERS: readonly string[] = ["request-id", "client-request-id", "x-ms-ags-diagnostic", "Date", "WWW-Authenticate"];

/**
 * Request headers a preflight may ask for: what Graph callers send, and what this package's chain
 * adds (`Authorization`, `client-request-id`, `Retry-Attempt`, the official `SdkVersion`).
 */
const ALLOWED_REQUEST_HEADERS = ["Authorization", "Content-Type", "client-request-id", "Retry-Attempt", "SdkVersion", "Prefer", "If-Match", "ConsistencyLevel"];
const ALLOWED_METHODS = "GET, PATCH, OPTIONS";
const PREFLIGHT_MAX_AGE_SECONDS = 600;

const headerName = valueWhere<string>((value) => typeof value === "string" && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value), "an HTTP header name");

const CORS_OPTIONS = optionSchema<EmulatorCors>()({
  name: "emulator cors",
  defaults: { allowOrigin: "*", exposeHeaders: DEFAULT_EXPOSED_HEADERS },
  rules: {
    allowOrigin: valueWhere<string>((value) => typeof value === "string" && value !== "" && !/[\r\n,]/.test(value), "an origin or \"*\""),
    exposeHeaders: arrayOf(headerName, "an array of HTTP header names"),
  },
});
const corsObject = nestedOptions(CORS_OPTIONS);

/** The `cors` option's rule: `true` (defaults), `false` (refused) or an {@link EmulatorCors}. */
export const corsRule = ((value, path, report) => {
  if (value === false) return undefined;
  return corsObject(value === true ? {} : value, path, report);
}) as OptionRule<ResolvedEmulatorCors | undefined>;

/**
 * The CORS headers every answer carries (none when CORS is refused, so a browser drops the answer).
 * @param cors - The resolved setting.
 */
export function corsResponseHeaders(cors: ResolvedEmulatorCors | undefined): OutgoingHttpHeaders {
  if (cors === undefined) return {};
  const headers: OutgoingHttpHeaders = { "Access-Control-Allow-Origin": cors.allowOrigin };
  if (cors.exposeHeaders.length > 0) headers["Access-Control-Expose-Headers"] = cors.exposeHeaders.join(", ");
  if (cors.allowOrigin !== "*") headers.Vary = "Origin";
  return headers;
}

/**
 * The emulator's one CORS step, run before anything else. A preflight (`OPTIONS` with
 * `Access-Control-Request-Method`) is answered `204` at once, as Graph does: before
 * authentication (a browser never sends a token with it) and outside the stats. Any other request
 * gets the CORS headers set on its response, whatever answers it later. When CORS is refused
 * nothing is added and a preflight goes on to the usual checks like any request, so the browser
 * refuses the call.
 * @param req - The request.
 * @param res - The response.
 * @param cors - The resolved setting.
 * @returns Whether the request was a preflight and has been answered.
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, cors: ResolvedEmulatorCors | undefined): boolean {
  if (cors === undefined) return false;
  const headers = corsResponseHeaders(cors);
  if (req.method !== "OPTIONS" || req.headers["access-control-request-method"] === undefined) {
    for (const [name, value] of Object.entries(headers)) if (value !== undefined) res.setHeader(name, value);
    return false;
  }
  req.resume();
  res
    .writeHead(204, {
      ...headers,
      "Access-Control-Allow-Methods": ALLOWED_METHODS,
      "Access-Control-Allow-Headers": ALLOWED_REQUEST_HEADERS.join(", "),
      "Access-Control-Max-Age": String(PREFLIGHT_MAX_AGE_SECONDS),
    })
    .end();
  return true;
}
