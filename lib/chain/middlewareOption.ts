import type { Context, MiddlewareOptions } from "@microsoft/microsoft-graph-client";

/**
 * Returns the per-request option of a class passed through `.middlewareOptions([...])`, if any.
 * Duck-typed, because `MiddlewareControl` is not exported by the official package's entry point.
 * @param context - The middleware context.
 * @param type - The option class.
 */
export function getMiddlewareOption<T extends MiddlewareOptions>(
  context: Context,
  type: abstract new (...args: never[]) => T,
): T | undefined {
  const control = context.middlewareControl;
  if (control === undefined || typeof control.getMiddlewareOptions !== "function") return undefined;
  const option = control.getMiddlewareOptions(type as unknown as () => MiddlewareOptions);
  return option instanceof type ? option : undefined;
}
