import { Client, type Context, type Middleware, type MiddlewareOptions } from "@microsoft/microsoft-graph-client";
import { extendClient } from "../../../lib/client/extendClient.js";
import type { GraphClient } from "../../../lib/client/CreateGraphClientOptions.js";

/** One request as the last middleware saw it. */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string | undefined;
  readonly signal: AbortSignal | undefined;
  /** Looks up a middleware option by class, as a handler would. */
  readonly option: (type: abstract new (...args: never[]) => MiddlewareOptions) => MiddlewareOptions | undefined;
  readonly context: Context;
}

/** Answers one request: a Response, or throws (a network failure). */
export type Responder = (request: RecordedRequest) => Response | Promise<Response>;

/** A cheap in-process transport: the last middleware records every request and answers it. */
export class FakeTransport implements Middleware {
  readonly requests: RecordedRequest[] = [];

  constructor(public respond: Responder = () => jsonResponse(200, { id: "summary-id" })) {}

  async execute(context: Context): Promise<void> {
    const options = context.options ?? {};
    const control = context.middlewareControl;
    const recorded: RecordedRequest = {
      method: options.method ?? "GET",
      url: typeof context.request === "string" ? context.request : context.request.url,
      headers: Object.fromEntries(new Headers(options.headers).entries()),
      body: typeof options.body === "string" ? options.body : undefined,
      signal: options.signal ?? undefined,
      option: (type) => control?.getMiddlewareOptions(type),
      context,
    };
    this.requests.push(recorded);
    context.response = await this.respond(recorded);
  }
}

/** A JSON response with the headers real Graph sends. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A client whose chain is `[...before, transport]`, extended with softwareUpdateStatusSummary(). */
export function fakeClient(transport: FakeTransport, before: Middleware[] = [], defaultVersion?: string): GraphClient {
  return extendClient(
    Client.initWithMiddleware({ middleware: [...before, transport], ...(defaultVersion ? { defaultVersion } : {}) }),
  );
}

/** A middleware placed before the transport; `run` decides whether and how to call `next`. */
export function step(run: (context: Context, next: Middleware) => Promise<void>): Middleware {
  let next: Middleware | undefined;
  return {
    execute: (context) => {
      if (next === undefined) throw new Error("step() needs a next middleware");
      return run(context, next);
    },
    setNext: (middleware) => {
      next = middleware;
    },
  };
}
