import { selectProperties } from "./selectProperties.js";
import { initialSummary, type StoredSummary } from "./softwareUpdateStatusSummary.js";
import { validatePatch } from "./validatePatch.js";

/** The outcome of an operation on a tenant's entity. */
export type OperationResult =
  | { readonly ok: true; readonly body: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly message: string };

/** What a successful PATCH changed. */
export type PatchResult =
  | { readonly ok: true; readonly patch: Readonly<Record<string, unknown>>; readonly entity: StoredSummary }
  | { readonly ok: false; readonly message: string };

/**
 * Reads a tenant's entity (creating it on first read), projected by `$select`.
 * @param entities - The entities by tenant.
 * @param tenant - The tenant.
 * @param query - The request's query string.
 */
export function getSummary(entities: Map<string, StoredSummary>, tenant: string, query: URLSearchParams): OperationResult {
  const entity = entities.get(tenant) ?? initialSummary(tenant);
  const selected = selectProperties(entity, selectOption(query));
  if (selected.ok) entities.set(tenant, entity);
  return selected;
}

/**
 * Parses, checks and applies a PATCH body to a tenant's entity, all at once (no partial update).
 * @param entities - The entities by tenant.
 * @param tenant - The tenant.
 * @param bodyText - The raw request body.
 */
export function patchSummary(entities: Map<string, StoredSummary>, tenant: string, bodyText: string): PatchResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bodyText);
  } catch (error) {
    return { ok: false, message: `The request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  const validation = validatePatch(parsed);
  if (!validation.ok) return validation;
  const entity: StoredSummary = { ...(entities.get(tenant) ?? initialSummary(tenant)), ...validation.patch };
  entities.set(tenant, entity);
  return { ok: true, patch: validation.patch, entity };
}

/** The `$select` value (Graph also accepts `select` without the `$`), or `null`. */
function selectOption(query: URLSearchParams): string | null {
  let value: string | null = null;
  for (const [name, raw] of query) {
    const lower = name.toLowerCase();
    if (lower === "$select" || lower === "select") value = value === null ? raw : `${value},${raw}`;
  }
  return value;
}
