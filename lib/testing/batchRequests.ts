import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { dependsOnOf, findCycle } from "../batch/dependencies.js";
import { MAX_BATCH_REQUESTS, type BatchRequestItem, type BatchResponseItem } from "../batch/batchTypes.js";
import { failedDependencyResponse, isSuccess } from "../batch/subResponses.js";
import { parseBatchRequests } from "../batch/parseBatch.js";
import { monotonicNow } from "../chain/monotonicNow.js";
import { graphErrorBody, throttledErrorBody, type ResponseIds } from "./graphErrorBody.js";
import type { ResolvedEmulatorOptions } from "./options.js";
import { headerValue } from "./requestIdentity.js";
import { formatRetryAfter, retryAfterValue } from "./retryAfterHeader.js";
import { isServed, matchRoute, otherPathAnswer } from "./routes.js";
import type { StoredSummary } from "./softwareUpdateStatusSummary.js";
import type { StatsRecorder } from "./statsRecorder.js";
import { getSummary, patchSummary } from "./summaryOperations.js";
import type { FaultPicker } from "./faults.js";
import type { EmulatorThrottle } from "./throttle.js";

/** What serving a batch needs of the emulator. */
export interface BatchServing {
  readonly options: ResolvedEmulatorOptions;
  readonly entities: Map<string, StoredSummary>;
  readonly throttle: EmulatorThrottle;
  readonly faults: FaultPicker;
  readonly stats: StatsRecorder;
  /** The emulator's (maybe skewed) wall clock, for `Retry-After` dates. */
  readonly wallNow: () => number;
}

/** A whole batch's answer: `200` with the sub-responses, or an error for the envelope. */
export type BatchAnswer =
  | { readonly ok: true; readonly responses: readonly BatchResponseItem[] }
  | { readonly ok: false; readonly status: number; readonly body: string };

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Matches `/{v1.0|beta}/$batch` (the `$` maybe %-encoded), with the version captured. */
const BATCH_PATH = /^\/(v1\.0|beta)\/(?:\$|%24)batch\/?(?:\?.*)?$/i;

/**
 * The version of a `$batch` URL, or `undefined` when the URL is not the batch endpoint.
 * @param rawUrl - The request target.
 */
export function batchVersion(rawUrl: string): "v1.0" | "beta" | undefined {
  const match = BATCH_PATH.exec(rawUrl);
  return match === null ? undefined : ((match[1] ?? "v1.0").toLowerCase() as "v1.0" | "beta");
}

/**
 * Serves a JSON batch as Graph does: rejects a malformed one with `400` (not JSON, no requests,
 * more than 20, duplicate ids, an unknown `dependsOn`, a cycle); then runs each request through
 * the same routes, faults and limits as a request of its own (each counted), in an order that
 * honours `dependsOn`, and answers `424` for a request whose dependency failed.
 * @param serving - The emulator's parts.
 * @param req - The batch request (for its `client-request-id`).
 * @param bodyText - The batch body.
 * @param caller - Tenant and app of the token.
 * @param version - The batch endpoint's version; sub-request URLs are relative to it.
 * @param ids - The envelope's ids (for error bodies).
 */
export function serveBatch(
  serving: BatchServing,
  req: IncomingMessage,
  bodyText: string,
  caller: { readonly tenant: string; readonly app: string },
  version: "v1.0" | "beta",
  ids: ResponseIds,
): BatchAnswer {
  const items = parseBatchRequests(bodyText);
  const problem = items === undefined ? "The batch body must be JSON with a 'requests' array." : malformed(items);
  if (problem !== undefined || items === undefined) {
    return { ok: false, status: 400, body: graphErrorBody("BadRequest", problem ?? "Invalid batch.", ids) };
  }
  const answers = new Map<string, BatchResponseItem>();
  // Graph runs independent requests in any order; a request runs once its dependencies answered.
  let remaining = items;
  while (remaining.length > 0) {
    const ready = remaining.filter((item) => dependsOnOf(item).every((dep) => answers.has(dep)));
    for (const item of ready) {
      const failed = dependsOnOf(item).some((dep) => !isSuccess(answers.get(dep)?.status ?? 0));
      answers.set(item.id, failed ? failedDependencyResponse(item.id) : serveSubRequest(serving, req, item, caller, version));
    }
    remaining = remaining.filter((item) => !answers.has(item.id));
  }
  return { ok: true, responses: items.map((item) => answers.get(item.id) as BatchResponseItem) };
}

/** What Graph refuses a batch for, or `undefined` when it is well-formed. */
function malformed(items: readonly BatchRequestItem[]): string | undefined {
  if (items.length === 0) return "The batch must contain at least one request.";
  if (items.length > MAX_BATCH_REQUESTS) return `The batch has ${items.length} requests; the limit is ${MAX_BATCH_REQUESTS}.`;
  const ids = new Set<string>();
  for (const item of items) {
    if (typeof item.id !== "string" || item.id === "") return "Every request needs an 'id'.";
    if (typeof item.method !== "string" || typeof item.url !== "string") return `Request '${item.id}' needs 'method' and 'url'.`;
    if (ids.has(item.id)) return `Request id '${item.id}' is not unique.`;
    ids.add(item.id);
  }
  for (const item of items) {
    const unknown = dependsOnOf(item).find((dep) => !ids.has(dep));
    if (unknown !== undefined) return `Request '${item.id}' depends on '${unknown}', which is not in the batch.`;
  }
  const cycle = findCycle(items);
  return cycle === undefined ? undefined : `The dependsOn of the batch form a cycle: ${cycle.join(" -> ")}.`;
}

/** One request of a batch, through faults, routing, limits and the operation. */
function serveSubRequest(
  serving: BatchServing,
  req: IncomingMessage,
  item: BatchRequestItem,
  caller: { readonly tenant: string; readonly app: string },
  version: "v1.0" | "beta",
): BatchResponseItem {
  const { options, stats, throttle } = serving;
  const method = item.method.toUpperCase();
  const isWrite = WRITE_METHODS.has(method);
  const subIds: ResponseIds = {
    requestId: randomUUID(),
    clientRequestId: item.headers?.["client-request-id"] ?? headerValue(req, "client-request-id") ?? randomUUID(),
  };
  const answer = (status: number, body?: unknown, headers?: Record<string, string>): BatchResponseItem => ({
    id: item.id,
    status,
    headers: { "Content-Type": "application/json", "request-id": subIds.requestId, ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const error = (status: number, code: string, message: string, headers?: Record<string, string>): BatchResponseItem =>
    answer(status, JSON.parse(graphErrorBody(code, message, subIds)) as unknown, headers);

  // A URL may name its version (the official BatchRequestContent writes `/v1.0/...`); Graph accepts that.
  const named = /^\/?(v1\.0|beta)\//i.test(item.url);
  const fullUrl = named ? `/${item.url.replace(/^\//, "")}` : `/${version}${item.url.startsWith("/") ? "" : "/"}${item.url}`;
  const route = matchRoute(fullUrl, options.otherPaths);
  const queryAt = fullUrl.indexOf("?");
  const path = queryAt < 0 ? fullUrl : fullUrl.slice(0, queryAt);
  const served = isServed(route, method);

  // 1. Faults, drawn per request (only those that answer it: delivery faults concern the envelope).
  const fault = serving.faults.pick(isWrite);
  const now = monotonicNow();
  if (fault.kind === "unavailable-with-retry-after" || fault.kind === "unavailable" || fault.kind === "gateway-timeout") {
    if (served) throttle.recordFaulted(caller.tenant, caller.app, isWrite, now, path);
    if (fault.kind === "gateway-timeout") return error(504, "GatewayTimeout", "The gateway did not receive a timely response from the upstream service.");
    const retryAfter =
      fault.kind === "unavailable"
        ? undefined
        : { "Retry-After": formatRetryAfter(serving.faults.retryAfterSeconds * 1000, options.retryAfterFormat, serving.wallNow()) };
    return error(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later.", retryAfter);
  }

  // 2. Routing.
  if (route.kind === "unknown") return error(404, "ResourceNotFound", `Resource not found for the segment '${route.segment}'.`);
  if (!served) return error(405, "MethodNotAllowed", `The HTTP method '${method}' is not allowed on softwareUpdateStatusSummary; allowed: GET, PATCH.`);

  // 3. Limits: each request of a batch is counted as if it came alone.
  const ticket = throttle.enter(caller.tenant, caller.app, isWrite, now, path);
  try {
    const decision = throttle.admit(caller.tenant, caller.app, isWrite, now, path, ticket);
    if (!decision.admitted) {
      stats.throttled(decision.blockedBy);
      const retryAfter = retryAfterValue(decision.retryAfterMs, decision.retryAfter ?? options.retryAfterFormat, serving.wallNow());
      const body = JSON.parse(throttledErrorBody(subIds)) as unknown;
      return answer(429, body, retryAfter === undefined ? {} : { "Retry-After": retryAfter });
    }
    const nearLimit = { ...decision.headers };

    // 4. The operation: none for another path, which only stands in for the rest of Graph.
    if (route.kind === "other") {
      const { status, body } = otherPathAnswer(method);
      return answer(status, body, nearLimit);
    }
    if (method === "GET") {
      const result = getSummary(serving.entities, caller.tenant, route.query);
      return result.ok ? answer(200, result.body, nearLimit) : error(400, "BadRequest", result.message, nearLimit);
    }
    const result = patchSummary(serving.entities, caller.tenant, JSON.stringify(item.body ?? null));
    if (!result.ok) return error(400, "BadRequest", result.message, nearLimit);
    stats.applied({
      tenant: caller.tenant,
      app: caller.app,
      version: route.version,
      patch: result.patch,
      requestId: subIds.requestId,
      clientRequestId: item.headers?.["client-request-id"] ?? null,
      at: now,
    });
    return options.patchStatus === 204 ? answer(204, undefined, nearLimit) : answer(200, result.entity, nearLimit);
  } finally {
    ticket.leave();
  }
}
