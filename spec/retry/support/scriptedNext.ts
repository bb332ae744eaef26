import type { Context, Middleware, MiddlewareOptions } from "@microsoft/microsoft-graph-client";
import { MiddlewareControl } from "@microsoft/microsoft-graph-client/lib/src/middleware/MiddlewareControl.js";

/** What one scripted attempt does with the context it gets. */
export type Step = (context: Context) => Promise<void> | void;

/** What the scripted middleware saw on one attempt. */
export interface SeenAttempt {
  readonly headers: Record<string, string>;
  readonly signal: AbortSignal | null | undefined;
  readonly context: Context;
}

/** A fake "next" middleware that plays one step per attempt (the last step repeats). */
export class ScriptedNext implements Middleware {
  readonly seen: SeenAttempt[] = [];
  private index = 0;

  constructor(private readonly steps: Step[]) {}

  async execute(context: Context): Promise<void> {
    const raw = context.options?.headers;
    const headers: Record<string, string> =
      raw instanceof Headers ? Object.fromEntries(raw.entries()) : Array.isArray(raw) ? Object.fromEntries(raw) : { ...(raw as Record<string, string>) };
    this.seen.push({ headers, signal: context.options?.signal, context });
    const step = this.steps[Math.min(this.index++, this.steps.length - 1)];
    if (step === undefined) throw new Error("no step scripted");
    await step(context);
  }

  get calls(): number {
    return this.seen.length;
  }

  /** The value of a header on each attempt (case-insensitive), `null` when absent. */
  header(name: string): Array<string | null> {
    return this.seen.map(({ headers }) => {
      const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
      return key === undefined ? null : (headers[key] ?? null);
    });
  }
}

/** Answers with a response. */
export function respond(status: number, headers: Record<string, string> = {}, body: string | null = `{"error":{"code":"E${status}","message":"m"}}`): Step {
  return (context) => {
    context.response = new Response(status === 204 ? null : body, { status, headers });
  };
}

/** Throws, as fetch does on a transport failure. */
export function fail(error: () => unknown): Step {
  return () => {
    throw error();
  };
}

/** undici's shape of a reset connection. */
export const resetError = (): TypeError =>
  new TypeError("fetch failed", { cause: Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }) });

/** Never answers, but rejects with the signal's reason when it aborts (as fetch does). */
export function hang(): Step {
  return (context) =>
    new Promise<void>((_resolve, reject) => {
      const signal = context.options?.signal;
      if (!signal) return;
      if (signal.aborted) reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
}

/** Never answers and ignores every signal (a badly behaved middleware). */
export function hangIgnoringSignal(): Step {
  return () => new Promise<void>(() => undefined);
}

/** Options of {@link makeContext}. */
export interface ContextInit {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  middlewareOptions?: MiddlewareOptions[];
  url?: string;
}

export const TOKEN = "SECRET-TOKEN-abc123";
export const URL_WITH_SECRET = "https://graph.microsoft.com/v1.0/deviceManagement/softwareUpdateStatusSummary?$select=id&sig=QUERYSECRET";

/** A context like the one GraphRequest builds (plain-record headers, Authorization already added). */
export function makeContext(init: ContextInit = {}): Context {
  return {
    request: init.url ?? URL_WITH_SECRET,
    options: {
      method: init.method ?? "GET",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json", ...init.headers },
      body: init.body as BodyInit | undefined,
      signal: init.signal,
    },
    middlewareControl: new MiddlewareControl(init.middlewareOptions ?? []),
  };
}

/**
 * The fake-clock timers still pending once asynchronous clean-up had its turns: body reads and
 * stream cancels settle on real `setImmediate` turns, so they get up to 20 before the count. A
 * timer that is really left behind is still there after them.
 * @param clock - The installed fake clock.
 */
export async function timersLeftAfterCleanup(clock: { countTimers(): number }): Promise<number> {
  for (let turn = 0; turn < 20 && clock.countTimers() > 0; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
  return clock.countTimers();
}
