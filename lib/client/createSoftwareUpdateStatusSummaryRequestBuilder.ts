import type { Client } from "@microsoft/microsoft-graph-client";
import type { SoftwareUpdateStatusSummary } from "@microsoft/microsoft-graph-types";
import { OrderedWriteOption } from "../chain/OrderedWriteOption.js";
import { ValidationError } from "../errors/ValidationError.js";
import type { SoftwareUpdateStatusSummaryPatch } from "../entity/SoftwareUpdateStatusSummaryPatch.js";
import {
  SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE,
  SOFTWARE_UPDATE_STATUS_SUMMARY_PATH,
  SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES,
} from "../entity/softwareUpdateStatusSummaryMetadata.js";
import { suggestName } from "../chain/suggestName.js";
import { validateSoftwareUpdateStatusSummaryPatch } from "../entity/validateSoftwareUpdateStatusSummaryPatch.js";
import { prepareGraphCall } from "./prepareGraphCall.js";
import { readEntityBody, sendRawGraphCall } from "./sendRawGraphCall.js";
import { runOrderedWrite } from "./orderedWrites.js";
import type {
  SoftwareUpdateStatusSummaryCallOptions,
  SoftwareUpdateStatusSummaryRequestBuilder,
  SoftwareUpdateStatusSummaryUpdateOptions,
} from "./SoftwareUpdateStatusSummaryRequestBuilder.js";

const PROPERTIES: ReadonlySet<string> = new Set(SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES);

type GetOptions = SoftwareUpdateStatusSummaryCallOptions & { readonly select?: readonly string[] };

/**
 * Creates the request builder for `/deviceManagement/softwareUpdateStatusSummary` on a client.
 * @param client - Any official `Client` (or object with its `api()` method).
 */
export function createSoftwareUpdateStatusSummaryRequestBuilder(client: Pick<Client, "api">): SoftwareUpdateStatusSummaryRequestBuilder {
  async function get(options: GetOptions = {}): Promise<SoftwareUpdateStatusSummary> {
    const select = options.select;
    if (select !== undefined) assertSelect(select);
    const call = prepareGraphCall(client, { path: SOFTWARE_UPDATE_STATUS_SUMMARY_PATH, idempotent: false }, options);
    if (select !== undefined && select.length > 0) call.request.select([...new Set(select)]);
    const response = await sendRawGraphCall(call, (request) => request.get());
    return (await readEntityBody<SoftwareUpdateStatusSummary>(response, call, false)) as SoftwareUpdateStatusSummary;
  }

  // Not async: each path hands back the promise of the write itself, and a bad patch or option
  // still comes back as a rejection.
  function update(
    patch: SoftwareUpdateStatusSummaryPatch,
    options: SoftwareUpdateStatusSummaryUpdateOptions = {},
  ): Promise<SoftwareUpdateStatusSummary | undefined> {
    try {
      return startUpdate(patch, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  function startUpdate(
    patch: SoftwareUpdateStatusSummaryPatch,
    options: SoftwareUpdateStatusSummaryUpdateOptions,
  ): Promise<SoftwareUpdateStatusSummary | undefined> {
    const valid = validateSoftwareUpdateStatusSummaryPatch(patch);
    assertOrdered(options.ordered);
    const order = options.ordered === false ? undefined : new OrderedWriteOption();
    const callOptions = order === undefined ? options : { ...options, middlewareOptions: [...(options.middlewareOptions ?? []), order] };
    const call = prepareGraphCall(
      client,
      { path: SOFTWARE_UPDATE_STATUS_SUMMARY_PATH, idempotent: true, contentType: "application/json" },
      callOptions,
    );
    const body = JSON.stringify({ "@odata.type": SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE, ...valid });
    const send = async (): Promise<SoftwareUpdateStatusSummary | undefined> => {
      const response = await sendRawGraphCall(call, (request) => request.patch(body));
      if (response.status === 204) return undefined;
      return await readEntityBody<SoftwareUpdateStatusSummary>(response, call, true, " (the update may have been applied)");
    };
    if (order === undefined) return send();
    return runOrderedWrite({
      client,
      path: SOFTWARE_UPDATE_STATUS_SUMMARY_PATH,
      middlewareOptions: options.middlewareOptions,
      signal: options.signal,
      order,
      send,
    });
  }

  return { get: get as SoftwareUpdateStatusSummaryRequestBuilder["get"], update };
}

function assertOrdered(ordered: unknown): void {
  if (ordered === undefined || typeof ordered === "boolean") return;
  throw new ValidationError("softwareUpdateStatusSummary call options", [{ path: "ordered", message: "must be a boolean" }]);
}

function assertSelect(select: unknown): void {
  if (!Array.isArray(select)) {
    throw new ValidationError("softwareUpdateStatusSummary call options", [{ path: "select", message: "must be an array of property names" }]);
  }
  const issues = select.flatMap((name: unknown, index) => {
    if (typeof name === "string" && PROPERTIES.has(name)) return [];
    const suggestion = typeof name === "string" ? suggestName(name, SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES) : undefined;
    const hint = suggestion === undefined ? "" : `; did you mean "${suggestion}"?`;
    return [{ path: `select[${index}]`, message: `is not a property of softwareUpdateStatusSummary, got ${JSON.stringify(String(name))}${hint}` }];
  });
  if (issues.length > 0) throw new ValidationError("softwareUpdateStatusSummary call options", issues);
}
