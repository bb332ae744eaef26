import { createHash } from "node:crypto";
import type { SoftwareUpdateStatusSummary } from "@microsoft/microsoft-graph-types";

/** The `@odata.type` of the entity. */
export const ODATA_TYPE = "#microsoft.graph.softwareUpdateStatusSummary";

/**
 * The 14 Int32 counters of the entity, in documentation order.
 *
 * Deliberately written out again rather than imported from lib/entity: the emulator stands in for
 * Graph, so its schema comes from the seed document on its own. Were it shared with the client
 * under test, a wrong property name would pass every test on both sides.
 */
export const COUNTER_PROPERTIES = Object.freeze([
  "compliantDeviceCount",
  "nonCompliantDeviceCount",
  "remediatedDeviceCount",
  "errorDeviceCount",
  "unknownDeviceCount",
  "conflictDeviceCount",
  "notApplicableDeviceCount",
  "compliantUserCount",
  "nonCompliantUserCount",
  "remediatedUserCount",
  "errorUserCount",
  "unknownUserCount",
  "conflictUserCount",
  "notApplicableUserCount",
] as const);

/** Properties a PATCH may set. */
export const WRITABLE_PROPERTIES: readonly string[] = Object.freeze(["displayName", ...COUNTER_PROPERTIES]);

/** Every property of the entity (what `$select` accepts), in documentation order. */
export const ALL_PROPERTIES: readonly string[] = Object.freeze(["id", ...WRITABLE_PROPERTIES]);

/** The largest Int32. */
export const INT32_MAX = 2_147_483_647;

/** The entity as the emulator stores it: `@odata.type` first, then every property. */
export type StoredSummary = SoftwareUpdateStatusSummary & { "@odata.type": string } & Record<string, unknown>;

/**
 * A stable GUID-shaped id derived from the tenant, so the same tenant always gets the same id.
 * @param tenant - The tenant.
 */
export function summaryIdFor(tenant: string): string {
  const hex = createHash("sha1").update(`softwareUpdateStatusSummary:${tenant}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The entity a tenant starts with: `displayName: null` and every counter 0.
 * @param tenant - The tenant.
 */
export function initialSummary(tenant: string): StoredSummary {
  const entity: Record<string, unknown> = { "@odata.type": ODATA_TYPE, id: summaryIdFor(tenant), displayName: null };
  for (const counter of COUNTER_PROPERTIES) entity[counter] = 0;
  return entity as StoredSummary;
}
