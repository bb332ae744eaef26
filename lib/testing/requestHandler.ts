import { randomUUID } from "node:crypto";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { monotonicNow } from "../chain/monotonicNow.js";
import { applyCors } from "./cors.js";
import type { FaultDraw, FaultPicker } from "./faults.js";
import { graphErrorBody, throttledErrorBody, type ResponseIds } from "./graphErrorBody.js";
import type { ResolvedEmulatorOptions } from "./options.js";
import { readBody } from "./readBody.js";
import { resetConnection } from "./resetConnection.js";
import { formatRetryAfter, retryAfterValue } from "./retryAfterHeader.js";
import { isServed, matchRoute, otherPathAnswer } from "./routes.js";
import { headerValue, identifyCaller, type CallerIdentity } from "./requestIdentity.js";
import { sendResponse, type BodyDelivery } from "./sendResponse.js";
import type { StoredSummary } from "./softwareUpdateStatusSummary.js";
import type { StatsRecorder } from "./statsRecorder.js";
import { getSummary, patchSummary } from "./summaryOperations.js";
import type { ConcurrencyTicket, EmulatorThrottle, ThrottleDecision } from "./throttle.js";
import { batchVersion, serveBatch } from "./batchRequests.js";

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
 * A `POST /{version}/$batch` is served by `serveBatch` after authentication: faults that answer a
 * request are drawn per request inside it (the envelope keeps only latency and delivery faults),
 * and each request inside meets the routes and limits on its own; only limits whose `path` names
 * the batch endpoint count the envelope itself (and may refuse it as a whole with a `429`).
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

// Only requests that reach an entity (or, with `otherPaths: "empty"`, another path) with a tenant meet the limits (401, 404 and 405 never do).
function throttleTarget(state: EmulatorState, req: IncomingMessage, method: string): ThrottleTarget | undefined {
  const caller = identifyCaller(req);
  const rawUrl = req.url ?? "/";
  if (caller.kind !== "caller" || !isServed(matchRoute(rawUrl, state.options.otherPaths), method)) return undefined;
  const queryAt = rawUrl.indexOf("?");
  const path = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
  const isWrite = WRITE_METHODS.has(method);
  const ticket = state.throttle.enter(caller.tenant, caller.app, isWrite, monotonicNow(), path);
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

/** An authenticated caller: its tenant and app. */
type Caller = Extract<CallerIdentity, { readonly kind: "caller" }>;

/** One request being served: what every step of it reads. */
interface Exchange {
  readonly state: EmulatorState;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly reply: Reply;
  readonly method: string;
  readonly ids: ResponseIds;
}

/** How one request is answered: its ids, its body delivery, and the emulator's (possibly skewed) wall clock. */
interface Reply {
  /** The emulator's wall clock: `Date` and HTTP-date `Retry-After`s are written on it. */
  readonly wallNow: () => number;
  send(status: number, body: string | undefined, headers?: OutgoingHttpHeaders): void;
  sendError(status: number, code: string, message: string, headers?: OutgoingHttpHeaders, innerCode?: string): void;
  /** The 429 for a request (or a `$batch` envelope) the limits refused. */
  sendThrottled(decision: Extract<ThrottleDecision, { readonly admitted: false }>): void;
}

function createReply(state: EmulatorState, res: ServerResponse, ids: ResponseIds, fault: FaultDraw): Reply {
  const { options, stats } = state;
  const delivery = bodyDelivery(state, fault);
  const wallNow = (): number => Date.now() + options.clockSkewMs;
  const send = (status: number, body: string | undefined, headers?: OutgoingHttpHeaders): void => {
    if (sendResponse(res, status, ids, body, { Date: new Date(wallNow()).toUTCString(), ...headers }, delivery)) stats.outcome(status);
  };
  return {
    wallNow,
    send,
    sendError: (status, code, message, headers, innerCode) => send(status, graphErrorBody(code, message, ids, innerCode), headers),
    sendThrottled: (decision) => {
      stats.throttled(decision.blockedBy);
      const retryAfter = retryAfterValue(decision.retryAfterMs, decision.retryAfter ?? options.retryAfterFormat, wallNow());
      send(429, throttledErrorBody(ids), {
        ...(retryAfter === undefined ? {} : { "Retry-After": retryAfter }),
        "x-emulator-throttled-by": decision.blockedBy.join(", "),
      });
    },
  };
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
  const reply = createReply(state, res, ids, fault);
  const exchange: Exchange = { state, req, res, reply, method, ids };
  // 1. Faults. One that answers the request counts only in limits with `countFaulted`.
  if (target !== undefined && answersRequest(fault)) {
    state.throttle.recordFaulted(target.tenant, target.app, target.isWrite, monotonicNow(), target.path);
  }
  const batch = batchVersion(req.url ?? "/");
  // A batch's answering faults are drawn per request inside it.
  if (answeredByFault(exchange, batch !== undefined && answersRequest(fault) ? "none" : fault.kind)) return;
  // 2. Authentication.
  const caller = identifyCaller(req);
  if (caller.kind !== "caller") {
    const message = caller.kind === "no-token" ? "Access token is empty." : "Access token has no 'tid' claim.";
    reply.sendError(401, "InvalidAuthenticationToken", message, { "WWW-Authenticate": WWW_AUTHENTICATE });
    return;
  }
  if (batch !== undefined) serveBatchEnvelope(exchange, caller, batch);
  else serveEntity(exchange, caller, fault, target);
}

/** Answers the request with its fault, if the fault answers it; `false` when it is served normally. */
function answeredByFault({ state, req, res, reply }: Exchange, kind: FaultDraw["kind"]): boolean {
  switch (kind) {
    case "connection-reset":
      state.stats.outcome("reset");
      // After the HTTP parser's callback returns, so Node's per-connection bookkeeping is not torn down mid-parse.
      process.nextTick(resetConnection, req.socket);
      return true;
    case "hang":
      state.stats.outcome("hang");
      req.resume(); // Drain the body so the connection stays healthy until close().
      state.hung.add(res);
      res.once("close", () => state.hung.delete(res));
      return true;
    case "unavailable-with-retry-after":
      reply.sendError(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later.", {
        "Retry-After": formatRetryAfter(state.faults.retryAfterSeconds * 1000, state.options.retryAfterFormat, reply.wallNow()),
      });
      return true;
    case "unavailable":
      reply.sendError(503, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later.");
      return true;
    case "gateway-timeout":
      reply.sendError(504, "GatewayTimeout", "The gateway did not receive a timely response from the upstream service.");
      return true;
    case "stall-after-headers":
    case "slow-trickle":
      // Served normally (a PATCH is applied); only the delivery of the answer's body is faulty.
      return false;
    case "late-apply":
    case "none":
      return false;
  }
}

/** A `POST /{version}/$batch`: the envelope meets only limits that name the batch endpoint, then `serveBatch` answers each request inside. */
function serveBatchEnvelope(exchange: Exchange, caller: Caller, batch: "v1.0" | "beta"): void {
  const { state, req, res, reply, method, ids } = exchange;
  if (method !== "POST") {
    reply.sendError(405, "MethodNotAllowed", `The HTTP method '${method}' is not allowed on $batch; allowed: POST.`, { Allow: "POST" });
    return;
  }
  readBody(req, MAX_BODY_BYTES)
    .then((body) => {
      if (state.closing || res.destroyed || !body.ok) {
        if (!body.ok && body.reason === "too-large") reply.sendError(413, "RequestEntityTooLarge", `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
        return;
      }
      const envelope = state.throttle.admitEnvelope(caller.tenant, caller.app, monotonicNow(), (req.url ?? "/").split("?")[0] ?? "/");
      if (!envelope.admitted) {
        reply.sendThrottled(envelope);
        return;
      }
      const { options, entities, throttle, faults, stats } = state;
      const answer = serveBatch({ options, entities, throttle, faults, stats, wallNow: reply.wallNow }, req, body.text, caller, batch, ids);
      if (answer.ok) reply.send(200, JSON.stringify({ responses: answer.responses }));
      else reply.send(answer.status, answer.body);
    })
    .catch((error: unknown) => internalError(state, res, ids, error));
}

/** A request to the entity: routing (404, 405), the body, throttling (429), then the operation. */
function serveEntity(exchange: Exchange, caller: Caller, fault: FaultDraw, target: ThrottleTarget | undefined): void {
  const { state, req, res, reply, method, ids } = exchange;
  // 3. Routing.
  const route = matchRoute(req.url ?? "/", state.options.otherPaths);
  if (route.kind === "unknown") {
    reply.sendError(404, "ResourceNotFound", `Resource not found for the segment '${route.segment}'.`, {}, "Request_ResourceNotFound");
    return;
  }
  if (!isServed(route, method)) {
    reply.sendError(405, "MethodNotAllowed", `The HTTP method '${method}' is not allowed on softwareUpdateStatusSummary; allowed: ${ENTITY_METHODS}.`, {
      Allow: ENTITY_METHODS,
    });
    return;
  }
  const { tenant, app } = caller;
  // 4. Body, then throttling. Admission and application share one instant, so the applied log shows admission times.
  readBody(req, MAX_BODY_BYTES)
    .then((body) => {
      if (state.closing || res.destroyed) return;
      if (!body.ok) {
        if (body.reason === "too-large") reply.sendError(413, "RequestEntityTooLarge", `The request body is larger than ${MAX_BODY_BYTES} bytes.`);
        return;
      }
      const at = monotonicNow();
      // `target` is set for every request that gets here (an entity GET or PATCH with a tenant).
      const decision = state.throttle.admit(tenant, app, WRITE_METHODS.has(method), at, target?.path, target?.ticket);
      if (!decision.admitted) {
        reply.sendThrottled(decision);
        return;
      }
      const nearLimit = decision.headers;
      // 5. The operation: none for another path, which only stands in for the rest of Graph.
      if (route.kind === "other") {
        const { status, body } = otherPathAnswer(method);
        reply.send(status, body === undefined ? undefined : JSON.stringify(body), nearLimit);
        return;
      }
      const operate = (appliedAt: number): void => {
        if (method === "GET") {
          const result = getSummary(state.entities, tenant, route.query);
          if (result.ok) reply.send(200, JSON.stringify(result.body), nearLimit);
          else reply.sendError(400, "BadRequest", result.message, nearLimit);
          return;
        }
        const result = patchSummary(state.entities, tenant, body.text);
        if (!result.ok) {
          reply.sendError(400, "BadRequest", result.message, nearLimit);
          return;
        }
        const clientRequestId = headerValue(req, "client-request-id") ?? null;
        state.stats.applied({ tenant, app, version: route.version, patch: result.patch, requestId: ids.requestId, clientRequestId, at: appliedAt });
        const { patchStatus } = state.options;
        reply.send(patchStatus, patchStatus === 204 ? undefined : JSON.stringify(result.entity), nearLimit);
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
          operate(monotonicNow());
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
