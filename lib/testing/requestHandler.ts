import { randomUUID } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { emulatorNow } from "./clock.js";
import { applyCors } from "./cors.js";
import type { FaultDraw, FaultPicker } from "./faults.js";
import { graphErrorBody, throttledErrorBody, type ResponseIds } from "./graphErrorBody.js";
import type { ResolvedEmulatorOptions } from "./options.js";
import { readBody } from "./readBody.js";
import { resetConnection } from "./resetConnection.js";
import { formatRetryAfter, retryAfterValue } from "./retryAfterHeader.js";
import { matchRoute } from "./routes.js";
import { headerValue, identifyCaller } from "./requestIdentity.js";
import { sendResponse, type BodyDelivery } from "./sendResponse.js";
import type { StoredSummary } from "./softwareUpdateStatusSummary.js";
import type { StatsRecorder } from "./statsRecorder.js";
import { getSummary, patchSummary } from "./summaryOperations.js";
import type { ConcurrencyTicket, EmulatorThrottle } from "./throttle.js";

/** Everything the request handler reads and changes; owned by one emulator. */
export interface EmulatorState {
  /** The checked options. */
  readonly options: ResolvedEmulatorOptions;
  /** The entity of each tenant, shared by v1.0 and beta. */
  readonly entities: Map<string, StoredSummary>;
  /** Per-tenant throttling (its limits are replaced in place by `setLimits`). */
  readonly throttle: EmulatorThrottle;
  /** The current fault picker (replaced by `setFaults`). */
  faults: FaultPicker;
  /** Counters and the applied log. */
  readonly stats: StatsRecorder;
  /** Latency timers not yet fired, cleared on close. */
  readonly timers: Set<NodeJS.Timeout>;
  /** Responses held open by the hang fault, dropped on close. */
  readonly hung: Set<ServerResponse>;
  /** True once `close()` started; nothing new is served. */
  closing: boolean;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const ENTITY_METHODS = "GET, PATCH";
const MAX_BODY_BYTES = 1024 * 1024;
const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

/** What the limits need to know of a request that can be throttled (an entity request with a tenant). */
interface ThrottleTarget {
  readonly tenant: string;
  readonly app: string;
  readonly isWrite: boolean;
  /** The path without query. */
  readonly path: string;
  /** Its places under concurrency limits, taken at arrival. */
  readonly ticket: ConcurrencyTicket;
}

/**
 * Creates the emulator's request listener. A CORS preflight is answered first (see `applyCors`).
 * At arrival, an entity request with a tenant takes its places under concurrency limits (held
 * until its answer ends, added latency included). Then checks run in this order, and each may end
 * the request:
 * 1. faults (drawn first; faulted requests count only in limits with `countFaulted`), after any added latency;
 *    a stalled or trickled answer is a fault of delivery only: the request is served normally;
 * 2. authentication (401);
 * 3. routing (404, 405);
 * 4. reading the body, then throttling (429; refused requests count only in limits with `countThrottled`);
 * 5. the operation: `$select` (400) and GET, or body validation (400) and PATCH. A `late-apply`
 *    fault runs it `lateApplyMs` after admission, even if the client has gone away by then.
 * @param state - The emulator's state.
 */
export function createRequestHandler(state: EmulatorState): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (applyCors(req, res, state.options.cors)) return; // A preflight: answered, not counted.
    state.stats.requestStarted();
    res.once("close", state.stats.requestEnded);
    req.on("error", () => undefined); // A client that goes away is not an emulator error.
    const ids: ResponseIds = { requestId: randomUUID(), clientRequestId: headerValue(req, "client-request-id") ?? randomUUID() };
    const method = (req.method ?? "GET").toUpperCase();
    const fault = state.faults.pick(WRITE_METHODS.has(method));
    const target = throttleTarget(state, req, method);
    if (target !== undefined) res.once("close", target.ticket.leave);
    if (fault.latencyMs <= 0) {
      serve(state, req, res, method, ids, fault, target);
      return;
    }
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      serve(state, req, res, method, ids, fault, target);
    }, fault.latencyMs);
    state.timers.add(timer);
  };
}

// Only requests that reach an entity with a tenant meet the limits (401, 404 and 405 never do).
function throttleTarget(state: EmulatorState, req: IncomingMessage, method: string): ThrottleTarget | undefined {
  if (method !== "GET" && method !== "PATCH") return undefined;
  const caller = identifyCaller(req);
  const rawUrl = req.url ?? "/";
  if (caller.kind !== "caller" || matchRoute(rawUrl).kind !== "summary") return undefined;
  const queryAt = rawUrl.indexOf("?");
  const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const isWrite = WRITE_METHODS.has(method);
  const ticket = state.throttle.enter(caller.tenant, caller.app, isWrite, emulatorNow(), path);
  return { tenant: caller.tenant, app: caller.app, isWrite, path, ticket };
}

function serve(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  ids: ResponseIds,
  fault: FaultDraw,
  target: ThrottleTarget | undefined,
): void {
  if (state.closing || res.destroyed) return;
  try {
    checkAndServe(state, req, res, method, ids, fault, target);
  } catch (error) {
    internalError(state, res, ids, error);
  }
}

// A bug must surface as a Graph-shaped 500, never as a crash or a hung request.
function internalError(state: EmulatorState, res: ServerResponse, ids: ResponseIds, error: unknown): void {
  const message = `Emulator error: ${error instanceof Error ? error.message : String(error)}`;
  if (sendResponse(res, 500, ids, graphErrorBody("generalException", message, ids))) state.stats.outcome(500);
}

function checkAndServe(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  ids: ResponseIds,
  fault: FaultDraw,
  target: ThrottleTarget | undefined,
): void {
  const { options, stats } = state;
  const delivery = bodyDelivery(state, fault);
  // The emulator's wall clock, which may be skewed: `Date` and HTTP-date `Retry-After`s are written on it.
  const wallNow = (): number => Date.now() + options.clockSkewMs;
  const send = (status: number, body: string | undefined, headers?: OutgoingHttpHeaders): void => {
    if (sendResponse(res, status, ids, body, { Date: new Date(wallNow()).toUTCString(), ...headers }, delivery)) stats.outcome(status);
  };
  const sendError = (status: number, code: string, message: string, headers?: OutgoingHttpHeaders, innerCode?: string): void =>
    send(status, graphErrorBody(code, message, ids, innerCode), headers);

  // 1. Faults. One that answers the request counts only in limits with `countFaulted`.
  if (target !== undefined && answersRequest(fault)) {
    state.throttle.recordFaulted(target.tenant, target.app, target.isWrite, emulatorNow(), target.path);
  }
  switch (fault.kind) {
    case "connection-reset":
      stats.outcome("reset");
      // After the HTTP parser's callback returns, so Node's per-connection bookkeeping is not torn down mid-parse.
      process.nextTick(resetConnection, req.socket);
      return;
    case "hang":
      stats.outcome("hang");
      req.resume(); // Drain the body so the connection stays healthy until close().
      state.hung.add(res);
      res.once("close", () => state.hung.delete(res));
      return;
    case "unavailable-with-retry-after":
      sendError(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later.", {
        "Retry-After": formatRetryAfter(state.faults.retryAfterSeconds * 1000, options.retryAfterFormat, wallNow()),
      });
      return;
    case "unavailable":
      sendError(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later.");
      return;
    case "gateway-timeout":
      sendError(504, "GatewayTimeout", "The gateway did not receive a timely response from the upstream service.");
      return;
    case "stall-after-headers":
    case "slow-trickle":
      // Served normally (a PATCH is applied); only the delivery of the answer's body is faulty.
      break;
    case "late-apply":
    case "none":
      break;
  }

  // 2. Authentication.
  const caller = identifyCaller(req);
  if (caller.kind !== "caller") {
    const message = caller.kind === "no-token" ? "Access token is empty." : "Access token has no 'tid' claim.";
    sendError(401, "InvalidAuthenticationToken", message, { "WWW-Authenticate": WWW_AUTHENTICATE });
    return;
  }
  const { tenant, app } = caller;

  // 3. Routing.
  const route = matchRoute(req.url ?? "/");
  if (route.kind === "unknown") {
    sendError(404, "ResourceNotFound", `Resource not found for the segment '${route.segment}'.`, {}, "Request_ResourceNotFound");
    return;
  }
  if (method !== "GET" && method !== "PATCH") {
    sendError(405, "MethodNotAllowed", `The HTTP method '${method}' is not allowed on softwareUpdateStatusSummary; allowed: ${ENTITY_METHODS}.`, {
      Allow: ENTITY_METHODS,
    });
    return;
  }

  // 4. Body, then throttling. Admission and application share one instant, so the applied log shows admission times.
  readBody(req, MAX_BODY_BYTES)
    .then((body) => {
      if (state.closing || res.destroyed) return;
      if (!body.ok) {
        if (body.reason === "too-large") sendError(413, "RequestEntityTooLarge", `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
        return;
      }
      const at = emulatorNow();
      // `target` is set for every request that gets here (an entity GET or PATCH with a tenant).
      const decision = state.throttle.admit(tenant, app, method === "PATCH", at, target?.path, target?.ticket);
      if (!decision.admitted) {
        stats.throttled(decision.blockedBy);
        const retryAfter = retryAfterValue(decision.retryAfterMs, decision.retryAfter ?? options.retryAfterFormat, wallNow());
        send(429, throttledErrorBody(ids), {
          ...(retryAfter === undefined ? {} : { "Retry-After": retryAfter }),
          "x-emulator-throttled-by": decision.blockedBy.join(", "),
        });
        return;
      }
      const nearLimit = decision.headers;

      // 5. The operation.
      const operate = (appliedAt: number): void => {
        if (method === "GET") {
          const result = getSummary(state.entities, tenant, route.query);
          if (result.ok) send(200, JSON.stringify(result.body), nearLimit);
          else sendError(400, "BadRequest", result.message, nearLimit);
          return;
        }
        const result = patchSummary(state.entities, tenant, body.text);
        if (!result.ok) {
          sendError(400, "BadRequest", result.message, nearLimit);
          return;
        }
        const clientRequestId = headerValue(req, "client-request-id") ?? null;
        stats.applied({ tenant, app, version: route.version, patch: result.patch, requestId: ids.requestId, clientRequestId, at: appliedAt });
        send(options.patchStatus, options.patchStatus === 204 ? undefined : JSON.stringify(result.entity), nearLimit);
      };
      if (fault.kind !== "late-apply") {
        operate(at);
        return;
      }
      // A back end that finishes the work whatever became of the connection: only close() drops it.
      const timer = setTimeout(() => {
        state.timers.delete(timer);
        if (state.closing) return;
        try {
          operate(emulatorNow());
        } catch (error) {
          internalError(state, res, ids, error);
        }
      }, state.faults.lateApplyMs);
      state.timers.add(timer);
    })
    .catch((error: unknown) => internalError(state, res, ids, error));
}

/** Whether the fault answers the request itself (instead of only delaying or slowing a normal answer). */
function answersRequest(fault: FaultDraw): boolean {
  return fault.kind !== "none" && fault.kind !== "stall-after-headers" && fault.kind !== "slow-trickle" && fault.kind !== "late-apply";
}

/** How the answer's body is written: as the fault says, held ones kept in `hung` until close(). */
function bodyDelivery(state: EmulatorState, fault: FaultDraw): BodyDelivery {
  switch (fault.kind) {
    case "stall-after-headers":
      return {
        kind: "stall",
        hold: (res) => {
          state.hung.add(res);
          res.once("close", () => state.hung.delete(res));
        },
      };
    case "slow-trickle":
      return { kind: "trickle", ...state.faults.trickle, timers: state.timers };
    default:
      return { kind: "whole" };
  }
}
