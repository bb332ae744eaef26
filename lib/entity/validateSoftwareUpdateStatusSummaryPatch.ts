import { ValidationError, type ValidationIssue } from "../errors/ValidationError.js";
import { describeValue } from "../chain/describeValue.js";
import { isPlainObject } from "./isPlainObject.js";
import type { SoftwareUpdateStatusSummaryPatch } from "./SoftwareUpdateStatusSummaryPatch.js";
import {
  INT32_MAX,
  SOFTWARE_UPDATE_STATUS_SUMMARY_COUNTERS,
  SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE,
  SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES,
  SOFTWARE_UPDATE_STATUS_SUMMARY_WRITABLE_PROPERTIES,
} from "./softwareUpdateStatusSummaryMetadata.js";
import { suggestName } from "../chain/suggestName.js";

/*
 * Hand-written rather than zod v4 (so not a dependency): zod reports all unknown keys as ONE issue at the
 * root (no per-key path, no "did you mean"), and its z.object() accepts Maps and class
 * instances. Every rule here would need a custom refinement anyway, so plain code is shorter
 * and keeps full control of the order and wording of the issues.
 */

const WHAT = "softwareUpdateStatusSummary patch";
const ODATA_TYPE_KEY = "@odata.type";
const COUNTERS: ReadonlySet<string> = new Set(SOFTWARE_UPDATE_STATUS_SUMMARY_COUNTERS);
/** Known keys in the order their issues are reported; unknown keys follow, sorted. */
const KNOWN_ORDER: ReadonlyMap<string, number> = new Map(
  [...SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES, ODATA_TYPE_KEY].map((key, index) => [key, index]),
);

interface RankedIssue extends ValidationIssue {
  readonly rank: number;
  readonly sortKey: string;
}

/**
 * Checks an update body for `softwareUpdateStatusSummary` and returns a fresh plain object with
 * only the validated properties. Nothing is coerced.
 *
 * Rules (every problem is reported at once, ordered: the root, then known properties in the
 * entity's documented order, then `@odata.type`, then unknown keys sorted by name):
 * - the input must be a plain object with at least one property to set;
 * - `id` is the read-only key and is rejected;
 * - the 14 counters must be integers in 0..2147483647 (`"4"`, `4.5`, `-1`, `NaN`, `Infinity`,
 *   `null`, booleans and bigints are rejected);
 * - `displayName` must be a string or `null`;
 * - `@odata.type` is accepted only when it equals
 *   {@link SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE} and is left out of the result (the update
 *   adds it itself); any other value is rejected;
 * - any other own key (including `__proto__`, `constructor` and symbols) is rejected, with the
 *   closest property name suggested when one is close;
 * - a known property whose value is `undefined` counts as absent (as in `JSON.stringify`);
 * - accessor properties (getters) are rejected without being called.
 *
 * @param input - The candidate patch, of any type.
 * @returns A new object holding only the validated properties.
 * @throws {@link ValidationError} listing every problem, with `path` and `message` for each.
 */
export function validateSoftwareUpdateStatusSummaryPatch(input: unknown): SoftwareUpdateStatusSummaryPatch {
  if (!isPlainObject(input)) {
    throw new ValidationError(WHAT, [{ path: "(root)", message: `must be a plain object, got ${describeRoot(input)}` }]);
  }
  const issues: RankedIssue[] = [];
  const patch: Record<string, unknown> = {};
  let meaningfulKeys = 0;

  for (const key of Reflect.ownKeys(input)) {
    const path = formatPath(key);
    const rank = typeof key === "string" ? (KNOWN_ORDER.get(key) ?? KNOWN_ORDER.size) : KNOWN_ORDER.size + 1;
    const report = (message: string): void => {
      issues.push({ path, message, rank, sortKey: path });
    };
    if (typeof key === "symbol" || !KNOWN_ORDER.has(key)) {
      meaningfulKeys++;
      report(unknownKeyMessage(key));
      continue;
    }
    const descriptor = Object.getOwnPropertyDescriptor(input, key);
    if (descriptor === undefined) continue;
    if (!("value" in descriptor)) {
      meaningfulKeys++;
      report("must be a plain data property, not a getter or setter");
      continue;
    }
    const value: unknown = descriptor.value;
    if (key === ODATA_TYPE_KEY) {
      if (value !== SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE) {
        meaningfulKeys++;
        report(`must be "${SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE}" when present (it is added for you), got ${describeValue(value)}`);
      }
      continue;
    }
    if (value === undefined) continue;
    meaningfulKeys++;
    if (key === "id") {
      report("is the read-only key of the entity and cannot be updated; remove it");
    } else if (key === "displayName") {
      if (typeof value === "string" || value === null) patch[key] = value;
      else report(`must be a string or null, got ${describeValue(value)}`);
    } else if (COUNTERS.has(key)) {
      if (isInt32Counter(value)) patch[key] = value;
      else report(`must be an integer from 0 to ${INT32_MAX}, got ${describeValue(value)}`);
    }
  }

  if (meaningfulKeys === 0) {
    issues.push({
      path: "(root)",
      message: `is empty; set at least one of ${SOFTWARE_UPDATE_STATUS_SUMMARY_WRITABLE_PROPERTIES.join(", ")}`,
      rank: -1,
      sortKey: "",
    });
  }
  if (issues.length > 0) {
    issues.sort((a, b) => a.rank - b.rank || (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
    throw new ValidationError(
      WHAT,
      issues.map(({ path, message }) => ({ path, message })),
    );
  }
  return patch as SoftwareUpdateStatusSummaryPatch;
}

function isInt32Counter(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= INT32_MAX;
}

function unknownKeyMessage(key: string | symbol): string {
  const base = "is not a writable property of softwareUpdateStatusSummary";
  if (typeof key === "symbol") return base;
  const suggestion = suggestName(key, SOFTWARE_UPDATE_STATUS_SUMMARY_WRITABLE_PROPERTIES);
  return suggestion === undefined ? base : `${base}; did you mean "${suggestion}"?`;
}

function formatPath(key: string | symbol): string {
  if (typeof key === "symbol") return String(key);
  return key === "" ? '""' : key;
}

function describeRoot(input: unknown): string {
  if (typeof input !== "object" || input === null || Array.isArray(input)) return describeValue(input);
  const tag = Object.prototype.toString.call(input).slice(8, -1);
  if (tag !== "Object") return tag;
  const ctor: unknown = (Object.getPrototypeOf(input) as { constructor?: unknown } | null)?.constructor;
  return typeof ctor === "function" && ctor.name !== "" ? `an instance of ${ctor.name}` : "a non-plain object";
}
