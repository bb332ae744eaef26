import { ALL_PROPERTIES, type StoredSummary } from "./softwareUpdateStatusSummary.js";

/** The outcome of {@link selectProperties}. */
export type SelectResult =
  | { readonly ok: true; readonly body: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly message: string };

const KNOWN = new Set(ALL_PROPERTIES);

/**
 * Applies a `$select` to the entity: only the selected properties plus `id` and `@odata.type`,
 * in documentation order. `*` selects everything.
 * @param entity - The stored entity.
 * @param select - The raw `$select` value, or `null` when absent.
 * @returns The projected body, or a message naming the first unknown property.
 */
export function selectProperties(entity: StoredSummary, select: string | null): SelectResult {
  if (select === null) return { ok: true, body: entity };
  const wanted = new Set<string>(["id"]);
  for (const raw of select.split(",")) {
    const name = raw.trim();
    if (name === "") continue;
    if (name === "*") return { ok: true, body: entity };
    if (!KNOWN.has(name)) {
      return { ok: false, message: `Could not find a property named '${name}' on type 'microsoft.graph.softwareUpdateStatusSummary'.` };
    }
    wanted.add(name);
  }
  const body: Record<string, unknown> = { "@odata.type": entity["@odata.type"] };
  for (const name of ALL_PROPERTIES) if (wanted.has(name)) body[name] = entity[name];
  return { ok: true, body };
}
