import type { Context, Middleware } from "@microsoft/microsoft-graph-client";
import type { Context as OtelContext, Span } from "@opentelemetry/api";
import type { OpenTelemetry } from "./openTelemetry.js";
import { errorType } from "./requestAttributes.js";

/** How the work inside a span ended: the response (none when it threw) and the `error.type`, if any. */
export interface SpanOutcome {
  readonly response: Response | undefined;
  readonly errorType: string | undefined;
}

/**
 * Runs the next middleware with `span` active below `parent`, hands how it ended to `finish`
 * (which records attributes and metrics), and ends the span: the one try/finally both telemetry
 * steps share. An error is rethrown as it is.
 * @param api - The OpenTelemetry API.
 * @param parent - The context the span is made current in.
 * @param span - The span, already started.
 * @param next - The next middleware.
 * @param context - The middleware context.
 * @param finish - Records the outcome before the span ends.
 */
export async function runInSpan(
  api: OpenTelemetry,
  parent: OtelContext,
  span: Span,
  next: Middleware,
  context: Context,
  finish: (outcome: SpanOutcome) => void,
): Promise<void> {
  let threw = false;
  let thrown: unknown;
  try {
    // With a context manager registered, spans made below (e.g. by fetch instrumentation) nest here too.
    await api.context.with(api.trace.setSpan(parent, span), () => next.execute(context));
  } catch (error) {
    threw = true;
    thrown = error;
    throw error;
  } finally {
    const response = threw ? undefined : context.response;
    finish({ response, errorType: errorType(response, threw, thrown) });
    span.end();
  }
}
