import { Client } from "@microsoft/microsoft-graph-client";
import { createGraphClient, extendClient, type CreateGraphClientOptions, type GraphClient } from "msgraph-software-update-status";
import { staticTokenProvider, type GraphEmulator } from "msgraph-software-update-status/testing";
import { slidingWindowFloorMs } from "./ideal.js";

/** Options of our client that a scenario may set. */
export type OurClientOptions = Pick<CreateGraphClientOptions, "retry" | "throttle" | "batch">;

/**
 * The stock client exactly as the Graph docs build it (`Client.init`, default middleware chain:
 * the official RetryHandler), with our typed helper added on top so both clients send the same PATCH.
 * @param emulator - The emulator to talk to.
 * @param token - The bearer token (its `tid` picks the tenant).
 */
export function stockClient(emulator: GraphEmulator, token: string): GraphClient {
  return extendClient(
    Client.init({
      authProvider: (done) => done(null, token),
      baseUrl: emulator.url,
      customHosts: new Set([emulator.host]),
      fetchOptions: emulator.fetchOptions,
    }),
  );
}

/**
 * Our client with its default chain (ResilientRetryHandler + ThrottleHandler), plus any options.
 * @param emulator - The emulator to talk to.
 * @param token - The bearer token.
 * @param options - Retry and throttle options.
 */
export function ourClient(emulator: GraphEmulator, token: string, options: OurClientOptions = {}): GraphClient {
  return createGraphClient({
    authProvider: staticTokenProvider(token),
    baseUrl: emulator.url,
    customHosts: [emulator.host],
    fetchOptions: emulator.fetchOptions,
    ...options,
  });
}

/**
 * A patch that differs per update, so the applied log can be checked.
 * @param i - The update's index.
 */
export function patchFor(i: number): { displayName: string; compliantDeviceCount: number } {
  return { displayName: `bench update ${i}`, compliantDeviceCount: i };
}

/**
 * The time a sliding-window limit alone allows for `count` requests: `limit` go at once, then
 * `limit` more every `windowMs`.
 * @param count - Requests.
 * @param limit - Requests per window.
 * @param windowMs - Window length.
 */
export function idealMs(count: number, limit: number, windowMs: number): number {
  return slidingWindowFloorMs(count, limit, windowMs);
}
