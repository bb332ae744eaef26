import type { Context, Middleware, MiddlewareOptions } from "@microsoft/microsoft-graph-client";
import { RequestTrace } from "../../../lib/chain/RequestTrace.js";
import { createTestToken } from "../../../lib/testing/index.js";

/** What a scripted `next` sees of one request. */
export interface SentRequest {
  readonly index: number;
  readonly at: number;
  readonly method: string;
  readonly url: string;
  readonly context: Context;
}

/** A scripted last middleware: records requests and answers with what `respond` returns. */
export interface ScriptedNext extends Middleware {
  readonly sent: SentRequest[];
}

/**
 * Creates a scripted `next` middleware.
 * @param respond - Builds the response of each request (may wait on timers).
 */
export function scriptedNext(respond: (request: SentRequest) => Response | Promise<Response> = () => new Response(null, { status: 204 })): ScriptedNext {
  const sent: SentRequest[] = [];
  return {
    sent,
    async execute(context: Context): Promise<void> {
      const url = typeof context.request === "string" ? context.request : context.request.url;
      const request: SentRequest = { index: sent.length, at: Date.now(), method: context.options?.method ?? "GET", url, context };
      sent.push(request);
      context.response = await respond(request);
    },
  };
}

/** A 429 with an optional Retry-After. */
export function throttled(retryAfter?: string): Response {
  return new Response('{"error":{"code":"TooManyRequests"}}', {
    status: 429,
    headers: retryAfter === undefined ? {} : { "Retry-After": retryAfter },
  });
}

/** Options of {@link makeContext}. */
export interface ContextOptions {
  readonly method?: string;
  readonly url?: string;
  readonly tenant?: string;
  readonly app?: string;
  readonly signal?: AbortSignal;
  readonly trace?: RequestTrace;
}

/** The URL of the entity on the real Graph host. */
export const GRAPH_URL = "https://graph.microsoft.com/v1.0/deviceManagement/softwareUpdateStatusSummary";
/** The URL of the entity on a custom host (a proxy or an emulator). */
export const CUSTOM_URL = "https://127.0.0.1:8443/v1.0/deviceManagement/softwareUpdateStatusSummary";

/**
 * A middleware context like the official client builds: URL string, plain-object headers with the
 * bearer token, and a duck-typed middleware control holding an optional `RequestTrace`.
 */
export function makeContext(options: ContextOptions = {}): Context {
  const token = createTestToken({ tenantId: options.tenant ?? "tenant-a", appId: options.app ?? "app-1" });
  const trace = options.trace;
  const control = {
    getMiddlewareOptions: (fn: unknown): MiddlewareOptions | undefined => (fn === RequestTrace ? trace : undefined),
    setMiddlewareOptions: () => undefined,
  };
  return {
    request: options.url ?? CUSTOM_URL,
    options: { method: options.method ?? "PATCH", headers: { Authorization: `Bearer ${token}` }, signal: options.signal },
    middlewareControl: control as unknown as Context["middlewareControl"],
  };
}

/** The token a context carries (to check it never leaks). */
export function tokenOf(context: Context): string {
  const headers = context.options?.headers as Record<string, string>;
  return (headers.Authorization ?? "").replace("Bearer ", "");
}

/** Counts requests in the busiest span of `windowMs` (half-open, as servers count). */
export function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  let max = 0;
  for (const end of times) max = Math.max(max, times.filter((t) => t > end - windowMs && t <= end).length);
  return max;
}
