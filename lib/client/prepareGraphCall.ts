import { ResponseType, type Client, type GraphRequest, type MiddlewareOptions } from "@microsoft/microsoft-graph-client";
import { ValidationError, type ValidationIssue } from "../errors/ValidationError.js";
import { IdempotentRequestOption } from "../chain/IdempotentRequestOption.js";
import { RequestTrace } from "../chain/RequestTrace.js";
import { newClientRequestId } from "../chain/newClientRequestId.js";
import { checkCallHeaders } from "./checkCallHeaders.js";
import type { SoftwareUpdateStatusSummaryCallOptions } from "./SoftwareUpdateStatusSummaryRequestBuilder.js";

/** The header Graph echoes and support cases ask for; stable across retries. */
export const CLIENT_REQUEST_ID_HEADER = "client-request-id";

const VERSIONS: ReadonlySet<string> = new Set(["v1.0", "beta"]);

/** One call, ready to send, with what error mapping needs afterwards. */
export interface PreparedGraphCall {
  /** The official request, set to return the raw `Response`. */
  readonly request: GraphRequest;
  /** Filled in by our middleware (attempts, earlier failures, typed error). */
  readonly trace: RequestTrace;
  /** The `client-request-id` sent (the caller's or a fresh UUID). */
  readonly clientRequestId: string;
  /** The caller's abort signal, if any. */
  readonly signal: AbortSignal | undefined;
}

/** What differs between calls. */
export interface GraphCallSpec {
  /** The resource path. */
  readonly path: string;
  /** Mark the request as safe to repeat for the retry handler. */
  readonly idempotent: boolean;
  /** Force this `Content-Type`, replacing any the caller set. @default none (the official default applies) */
  readonly contentType?: string;
}

/**
 * Builds the official `GraphRequest` for one call: raw response, version, headers (with a
 * `client-request-id`), abort signal, and middleware options (a `RequestTrace` first, then
 * `IdempotentRequestOption` when asked, then the caller's).
 * @param client - Anything with the official `api()` method.
 * @param spec - Path, idempotency and content type.
 * @param options - The caller's per-call options.
 * @throws {@link ValidationError} for an unknown version, a bad signal, a header the client owns
 *   or an invalid header name or value, or a middleware option that is not an object; every
 *   problem is listed and nothing is sent.
 */
export function prepareGraphCall(
  client: Pick<Client, "api">,
  spec: GraphCallSpec,
  options: SoftwareUpdateStatusSummaryCallOptions = {},
): PreparedGraphCall {
  const issues: ValidationIssue[] = [];
  if (options.version !== undefined && !VERSIONS.has(options.version)) {
    issues.push({ path: "version", message: `must be "v1.0" or "beta", got ${JSON.stringify(String(options.version))}` });
  }
  if (options.signal !== undefined && !isAbortSignal(options.signal)) {
    issues.push({ path: "signal", message: "must be an AbortSignal" });
  }
  issues.push(...checkCallHeaders(options.headers));
  if (options.middlewareOptions !== undefined) {
    if (!Array.isArray(options.middlewareOptions)) {
      issues.push({ path: "middlewareOptions", message: "must be an array of middleware option objects" });
    } else {
      options.middlewareOptions.forEach((option: unknown, index) => {
        if (option === null || typeof option !== "object") {
          issues.push({ path: `middlewareOptions[${index}]`, message: `must be a middleware option object, got ${option === null ? "null" : typeof option}` });
        }
      });
    }
  }
  if (issues.length > 0) throw new ValidationError("softwareUpdateStatusSummary call options", issues);

  const headers: Record<string, string> = {};
  let clientRequestId: string | undefined;
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    const lower = name.toLowerCase();
    if (spec.contentType !== undefined && lower === "content-type") continue;
    if (lower === CLIENT_REQUEST_ID_HEADER) {
      if (typeof value !== "string" || value === "") continue;
      clientRequestId = value;
      continue;
    }
    headers[name] = value;
  }
  clientRequestId ??= newClientRequestId();
  headers[CLIENT_REQUEST_ID_HEADER] = clientRequestId;
  if (spec.contentType !== undefined) headers["Content-Type"] = spec.contentType;

  const extra = options.middlewareOptions ?? [];
  const callerTrace = extra.find((option): option is RequestTrace => option instanceof RequestTrace);
  const trace = callerTrace ?? new RequestTrace();
  const middlewareOptions: MiddlewareOptions[] = [trace];
  if (spec.idempotent) middlewareOptions.push(new IdempotentRequestOption());
  for (const option of extra) if (option !== trace) middlewareOptions.push(option);

  const request = client.api(spec.path).responseType(ResponseType.RAW).headers(headers).middlewareOptions(middlewareOptions);
  if (options.version !== undefined) request.version(options.version);
  if (options.signal !== undefined) request.option("signal", options.signal);
  return { request, trace, clientRequestId, signal: options.signal };
}

function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof AbortSignal !== "undefined" && value instanceof AbortSignal) return true;
  // Polyfilled or foreign-realm signals.
  return typeof value === "object" && value !== null && typeof (value as AbortSignal).aborted === "boolean" &&
    typeof (value as AbortSignal).addEventListener === "function";
}
