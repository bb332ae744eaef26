import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import type { Span } from "@opentelemetry/api";
import { SCOPE } from "./instruments.js";
import { openTelemetry, type OpenTelemetry } from "./openTelemetry.js";
import { graphIdAttributes, requestAttributes } from "./requestAttributes.js";
import { runInSpan } from "./runInSpan.js";

// The call span of each request, found by the attempt step below the retry handler: each attempt
// runs on a copy of the context, but the copy shares the request's middleware control object.
const callSpans = new WeakMap<object, Span>();

/**
 * The span of a logical call's attempt step's parent, when the call step made one.
 * @param context - An attempt's context.
 */
export function callSpanOf(context: Context): Span | undefined {
  const control = context.middlewareControl as object | undefined;
  return control === undefined ? undefined : callSpans.get(control);
}

/**
 * Makes one span per logical call (all its retries), outermost in the chain. Does nothing, and
 * loads nothing, when no OpenTelemetry SDK is registered.
 */
export class TelemetryCallHandler implements Middleware {
  private nextMiddleware: Middleware | undefined;

  /** @param next - The next middleware. */
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }

  /**
   * Sends the request inside a call span.
   * @param context - The middleware context.
   */
  execute(context: Context): Promise<void> {
    const next = this.nextMiddleware as Middleware;
    const loading = openTelemetry();
    // Not async: without an SDK this step hands on the next step's promise, and costs no promise of its own.
    if (loading === undefined) return next.execute(context);
    return loading.then((api) => (api === undefined ? next.execute(context) : this.traced(api, context, next)));
  }

  private async traced(api: OpenTelemetry, context: Context, next: Middleware): Promise<void> {
    const attributes = requestAttributes(context);
    const span = api.trace.getTracer(SCOPE).startSpan(String(attributes["http.request.method"]), { kind: api.SpanKind.INTERNAL, attributes });
    if (!span.isRecording()) return next.execute(context);
    const control = context.middlewareControl as object | undefined;
    if (control !== undefined) callSpans.set(control, span);
    await runInSpan(api, api.context.active(), span, next, context, ({ response, errorType: type }) => {
      span.setAttributes(graphIdAttributes(context, response));
      if (response !== undefined) span.setAttribute("http.response.status_code", response.status);
      if (type !== undefined) {
        span.setAttribute("error.type", type);
        span.setStatus({ code: api.SpanStatusCode.ERROR });
      }
      if (control !== undefined) callSpans.delete(control);
    });
  }
}
