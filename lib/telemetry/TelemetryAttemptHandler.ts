import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import type { Attributes } from "@opentelemetry/api";
import { getRequestHeader } from "../chain/requestHeaders.js";
import { instruments, SCOPE } from "./instruments.js";
import { isOpenTelemetryRegistered, openTelemetry, type OpenTelemetry } from "./openTelemetry.js";
import { graphIdAttributes, requestAttributes } from "./requestAttributes.js";
import { runInSpan } from "./runInSpan.js";
import { callSpanOf } from "./TelemetryCallHandler.js";

// When each attempt reached the throttle, so the step below it can tell how long it queued.
const queuedAt = new WeakMap<Context, number>();

/** Notes when an attempt enters the throttle (placed just above it); only while an SDK is registered. */
export class TelemetryQueueMarkHandler implements Middleware {
  private nextMiddleware: Middleware | undefined;

  /** @param next - The next middleware. */
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }

  /**
   * Marks the time and passes the request on.
   * @param context - The middleware context.
   */
  execute(context: Context): Promise<void> {
    if (isOpenTelemetryRegistered()) queuedAt.set(context, performance.now());
    return (this.nextMiddleware as Middleware).execute(context);
  }
}

/**
 * Makes one HTTP client span per attempt (a child of the call span) and counts attempts and 429s,
 * just below the throttle, so the span covers the request on the wire and not the wait before it
 * (that goes to the queue-time histogram). Does nothing, and loads nothing, without an SDK.
 */
export class TelemetryAttemptHandler implements Middleware {
  private nextMiddleware: Middleware | undefined;

  /** @param next - The next middleware. */
  setNext(next: Middleware): void {
    this.nextMiddleware = next;
  }

  /**
   * Sends the attempt inside its span.
   * @param context - The attempt's context.
   */
  execute(context: Context): Promise<void> {
    const next = this.nextMiddleware as Middleware;
    const loading = openTelemetry();
    // Not async: without an SDK this step hands on the next step's promise, and costs no promise of its own.
    if (loading === undefined) return next.execute(context);
    const enteredQueue = queuedAt.get(context);
    queuedAt.delete(context);
    return loading.then((api) => (api === undefined ? next.execute(context) : this.traced(api, context, next, enteredQueue)));
  }

  private async traced(api: OpenTelemetry, context: Context, next: Middleware, enteredQueue: number | undefined): Promise<void> {
    const meters = instruments(api);
    const attributes = requestAttributes(context);
    const metricAttributes: Attributes = { "http.request.method": attributes["http.request.method"], "server.address": attributes["server.address"] };
    if (enteredQueue !== undefined) meters.queueTime.record((performance.now() - enteredQueue) / 1000, metricAttributes);
    const resendCount = Number(getRequestHeader(context, "retry-attempt") ?? 0);
    if (resendCount > 0) attributes["http.request.resend_count"] = resendCount;
    const parent = callSpanOf(context);
    const parentContext = parent === undefined ? api.context.active() : api.trace.setSpan(api.context.active(), parent);
    const span = api.trace.getTracer(SCOPE).startSpan(String(attributes["http.request.method"]), { kind: api.SpanKind.CLIENT, attributes }, parentContext);
    await runInSpan(api, parentContext, span, next, context, ({ response, errorType: type }) => {
      const outcome: Attributes = { ...metricAttributes };
      if (response !== undefined) outcome["http.response.status_code"] = response.status;
      if (type !== undefined) outcome["error.type"] = type;
      meters.attempts.add(1, outcome);
      if (response?.status === 429) meters.throttled.add(1, metricAttributes);
      if (span.isRecording()) {
        span.setAttributes({ ...graphIdAttributes(context, response), ...outcome });
        if (type !== undefined) span.setStatus({ code: api.SpanStatusCode.ERROR });
      }
    });
  }
}
