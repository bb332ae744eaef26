import { AuthenticationHandler, Client, HTTPMessageHandler, type Middleware } from "@microsoft/microsoft-graph-client";
import { createTestToken, staticTokenProvider } from "../../../lib/testing/index.js";
import type { GraphEmulator } from "../../../lib/testing/types.js";

/** The entity path. */
export const SUMMARY = "/deviceManagement/softwareUpdateStatusSummary";
/** The `@odata.type` of the entity. */
export const ODATA_TYPE = "#microsoft.graph.softwareUpdateStatusSummary";
/** The tenant the test token belongs to. */
export const TENANT = "11111111-2222-3333-4444-555555555555";

/** A client whose chain is the official auth handler, the handler under test, and the official HTTP handler. */
export function clientWith(emu: GraphEmulator, handler: Middleware): Client {
  return Client.initWithMiddleware({
    middleware: [new AuthenticationHandler(staticTokenProvider(createTestToken({ tenantId: TENANT }))), handler, new HTTPMessageHandler()],
    baseUrl: emu.url,
    customHosts: new Set([emu.host]),
    fetchOptions: emu.fetchOptions,
  });
}
