import type * as OpenTelemetryApi from "@opentelemetry/api";

/** The `@opentelemetry/api` module, when it is installed and an SDK registered a provider. */
export type OpenTelemetry = typeof OpenTelemetryApi;

// Where `@opentelemetry/api` v1 keeps what an SDK registers (`trace`, `metrics`, ...). Reading it
// tells whether any SDK is registered without loading the package.
const GLOBAL_KEY = Symbol.for("opentelemetry.js.api.1");
// A variable, not a literal: bundlers leave the import to the runtime instead of requiring the package.
const API_MODULE = "@opentelemetry/api";

let loading: Promise<OpenTelemetry | undefined> | undefined;

/** Whether an OpenTelemetry SDK registered a tracer or meter provider in this realm. */
export function isOpenTelemetryRegistered(): boolean {
  const registered = (globalThis as { readonly [GLOBAL_KEY]?: { readonly trace?: unknown; readonly metrics?: unknown } })[GLOBAL_KEY];
  return registered?.trace !== undefined || registered?.metrics !== undefined;
}

/**
 * The OpenTelemetry API, or `undefined` when no SDK is registered (then nothing is loaded) or the
 * package cannot be loaded (an optional peer dependency; the failure is remembered, never thrown).
 */
export function openTelemetry(): Promise<OpenTelemetry | undefined> | undefined {
  if (!isOpenTelemetryRegistered()) return undefined;
  loading ??= import(/* webpackIgnore: true */ /* @vite-ignore */ API_MODULE).then(
    (api: OpenTelemetry & { readonly default?: OpenTelemetry }) => (typeof api.trace === "object" ? api : api.default),
    () => undefined,
  );
  return loading;
}
