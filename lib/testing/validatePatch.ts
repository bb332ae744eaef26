import { closest, distance } from "fastest-levenshtein";
import { INT32_MAX, ODATA_TYPE, WRITABLE_PROPERTIES } from "./softwareUpdateStatusSummary.js";

/** The outcome of {@link validatePatch}. */
export type PatchValidation =
  | { readonly ok: true; readonly patch: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly message: string };

const WRITABLE = new Set(WRITABLE_PROPERTIES);

/**
 * Checks a parsed PATCH body the way Graph does for this entity: a JSON object whose keys are
 * writable properties (`id` is read-only), counters integers in 0..2147483647, `displayName` a
 * string or null, and `@odata.type`, when present, the entity's type.
 * @param body - The parsed JSON body.
 * @returns The properties to apply (without `@odata.type`), or a message naming every problem.
 */
export function validatePatch(body: unknown): PatchValidation {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, message: "The request body must be a JSON object." };
  }
  const problems: string[] = [];
  const patch: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === "@odata.type") {
      if (value !== ODATA_TYPE) {
        problems.push(`'@odata.type' must be '${ODATA_TYPE}', got ${JSON.stringify(value)}.`);
      }
    } else if (key === "id") {
      problems.push("The property 'id' is read-only and cannot be updated.");
    } else if (!WRITABLE.has(key)) {
      problems.push(`The property '${key}' does not exist on type 'microsoft.graph.softwareUpdateStatusSummary'.${suggestion(key)}`);
    } else if (key === "displayName") {
      if (value !== null && typeof value !== "string") problems.push(`'displayName' must be a string or null, got ${JSON.stringify(value)}.`);
      else patch[key] = value;
    } else if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > INT32_MAX) {
      problems.push(`'${key}' must be an integer in 0..${INT32_MAX}, got ${JSON.stringify(value)}.`);
    } else {
      // `+ 0` turns -0 into 0.
      patch[key] = value + 0;
    }
  }
  return problems.length > 0 ? { ok: false, message: problems.join(" ") } : { ok: true, patch };
}

// A hint only for near misses (typos, wrong case), not for unrelated names.
function suggestion(key: string): string {
  const best = closest(key, WRITABLE_PROPERTIES);
  return distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(best.length / 4)) ? ` Did you mean '${best}'?` : "";
}
