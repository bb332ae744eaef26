import type { Client } from "@microsoft/microsoft-graph-client";
import { InvalidOptionsError } from "../errors/InvalidOptionsError.js";
import { createSoftwareUpdateStatusSummaryRequestBuilder } from "./createSoftwareUpdateStatusSummaryRequestBuilder.js";
import type { SoftwareUpdateStatusSummaryClient } from "./SoftwareUpdateStatusSummaryRequestBuilder.js";

const METHOD = "softwareUpdateStatusSummary";

/**
 * Adds `softwareUpdateStatusSummary()` to one client built with `Client.init` or
 * `Client.initWithMiddleware`, and returns the same instance typed with it. `Client.prototype`
 * is not touched, and calling it again on the same client changes nothing.
 * @param client - The official client.
 * @throws {@link InvalidOptionsError} when `client` has no `api()` method.
 */
export function extendClient<C extends Client>(client: C): C & SoftwareUpdateStatusSummaryClient {
  if (typeof client !== "object" || client === null || typeof client.api !== "function") {
    throw new InvalidOptionsError("extendClient needs a Client from @microsoft/microsoft-graph-client");
  }
  if (!Object.prototype.hasOwnProperty.call(client, METHOD)) {
    Object.defineProperty(client, METHOD, {
      value: function softwareUpdateStatusSummary() {
        return createSoftwareUpdateStatusSummaryRequestBuilder(client);
      },
      enumerable: false,
      writable: false,
      configurable: false,
    });
  }
  return client as C & SoftwareUpdateStatusSummaryClient;
}
