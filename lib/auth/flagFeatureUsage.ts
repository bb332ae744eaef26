import { TelemetryHandlerOptions, type Context } from "@microsoft/microsoft-graph-client";
import { getMiddlewareOption } from "../chain/middlewareOption.js";

/**
 * Sets a `FeatureUsageFlag` bit that the official `TelemetryHandler` reports in `SdkVersion`,
 * as the official handlers we replace do.
 * @param context - The middleware context.
 * @param flag - The `FeatureUsageFlag` bit.
 */
export function flagFeatureUsage(context: Context, flag: number): void {
  const control = context.middlewareControl;
  if (control === undefined || typeof control.setMiddlewareOptions !== "function") return;
  let telemetry = getMiddlewareOption(context, TelemetryHandlerOptions);
  if (telemetry === undefined) {
    telemetry = new TelemetryHandlerOptions();
    control.setMiddlewareOptions(TelemetryHandlerOptions, telemetry);
  }
  // setFeatureUsage is private in the typings but public at run time; the static helper would
  // replace a control that is not the official class and drop the other options.
  const setter = (telemetry as unknown as { setFeatureUsage?: (flag: number) => void }).setFeatureUsage;
  if (typeof setter === "function") setter.call(telemetry, flag);
}
