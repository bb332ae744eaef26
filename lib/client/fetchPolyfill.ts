import { HTTPMessageHandler, type Context } from "@microsoft/microsoft-graph-client";

let polyfill: Promise<unknown> | undefined;

/**
 * Loads `isomorphic-fetch` where the runtime has no global `fetch` (Node 18+, browsers and
 * workers have their own), once. A dynamic import, never a static one: a static import would pull
 * `node-fetch` into every Node bundle, where its `require("stream")` crashes an ESM bundle at start.
 * Bundlers keep the dynamic import lazy, so the polyfill's code runs only where it is needed.
 * @returns The load in progress, or `undefined` when the runtime has `fetch`.
 */
export function loadFetchPolyfill(): Promise<unknown> | undefined {
  if (typeof fetch !== "undefined") return undefined;
  polyfill ??= import("isomorphic-fetch");
  return polyfill;
}

/** The official `HTTPMessageHandler`, which first waits for the fetch polyfill. */
class PolyfilledHTTPMessageHandler extends HTTPMessageHandler {
  override async execute(context: Context): Promise<void> {
    await loadFetchPolyfill();
    return super.execute(context);
  }
}

/**
 * The last step of the chain: the official `HTTPMessageHandler`, or, in a runtime with no global
 * `fetch`, one that loads the polyfill before its first request (the official handler calls the
 * global `fetch`).
 */
export function createHttpMessageHandler(): HTTPMessageHandler {
  if (loadFetchPolyfill() === undefined) return new HTTPMessageHandler();
  return new PolyfilledHTTPMessageHandler();
}
