import { ValidationError, type ValidationIssue } from "../errors/ValidationError.js";
import { isPlainObject } from "../entity/isPlainObject.js";
import { validateSoftwareUpdateStatusSummaryPatch } from "../entity/validateSoftwareUpdateStatusSummaryPatch.js";
import { isValidationError } from "../errors/ValidationError.js";
import { versionRelativeUrl } from "./batchTarget.js";
import { MAX_BATCH_REQUESTS, type BatchRequestItem } from "./batchTypes.js";
import { dependsOnOf, findCycle } from "./dependencies.js";

const SUMMARY_PATH = /^\/?deviceManagement\/softwareUpdateStatusSummary\/?(?:\?|$)/i;

/**
 * Every problem of a batch that Graph would refuse (or that we can tell is wrong) before sending:
 * empty or more than {@link MAX_BATCH_REQUESTS} requests (when `maxRequests` is given), missing or
 * duplicate ids, a missing method or URL, an absolute URL, an unknown `dependsOn` target, a
 * dependency cycle, and an invalid `softwareUpdateStatusSummary` patch (the same checks as `update()`).
 * @param items - The requests.
 * @param maxRequests - The most allowed in one batch; `Infinity` for a list to be split.
 */
export function batchIssues(items: readonly BatchRequestItem[], maxRequests: number): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (items.length === 0) issues.push({ path: "requests", message: "a batch needs at least one request" });
  if (items.length > maxRequests) {
    issues.push({ path: "requests", message: `${items.length} requests; a $batch carries at most ${maxRequests}` });
  }
  const seen = new Set<string>();
  const ids = new Set(items.map((item) => item.id));
  items.forEach((item, i) => {
    const at = `requests[${i}]`;
    if (typeof item.id !== "string" || item.id === "") issues.push({ path: `${at}.id`, message: "must be a non-empty string" });
    else if (seen.has(item.id)) issues.push({ path: `${at}.id`, message: `duplicate id "${item.id}"` });
    seen.add(item.id);
    if (typeof item.method !== "string" || item.method === "") issues.push({ path: `${at}.method`, message: "must be an HTTP method" });
    if (typeof item.url !== "string" || item.url === "") {
      issues.push({ path: `${at}.url`, message: "must be a URL relative to the version root" });
    } else if (/^[a-z][a-z0-9+.-]*:/i.test(item.url) || item.url.startsWith("//")) {
      // Graph resolves sub-request URLs against the batch's version root only.
      issues.push({ path: `${at}.url`, message: `"${item.url}" is absolute; use a path such as /deviceManagement/...` });
    }
    if (item.dependsOn !== undefined && !Array.isArray(item.dependsOn)) {
      issues.push({ path: `${at}.dependsOn`, message: "must be an array of request ids" });
    }
    for (const dep of dependsOnOf(item)) {
      if (!ids.has(dep)) issues.push({ path: `${at}.dependsOn`, message: `depends on "${dep}", which is not in the batch` });
      else if (dep === item.id) issues.push({ path: `${at}.dependsOn`, message: "depends on itself" });
    }
    issues.push(...patchIssues(item, at));
  });
  const cycle = findCycle(items.filter((item) => !dependsOnOf(item).includes(item.id)));
  if (cycle !== undefined) issues.push({ path: "requests", message: `dependency cycle: ${cycle.join(" -> ")}` });
  return issues;
}

/**
 * Throws when {@link batchIssues} finds anything.
 * @param items - The requests.
 * @param maxRequests - The most allowed in one batch. @default 20
 * @throws ValidationError listing every problem.
 */
export function validateBatch(items: readonly BatchRequestItem[], maxRequests: number = MAX_BATCH_REQUESTS): void {
  const issues = batchIssues(items, maxRequests);
  if (issues.length > 0) throw new ValidationError("$batch request", issues);
}

function patchIssues(item: BatchRequestItem, at: string): ValidationIssue[] {
  if (typeof item.method !== "string" || item.method.toUpperCase() !== "PATCH") return [];
  if (typeof item.url !== "string" || !SUMMARY_PATH.test(versionRelativeUrl(item.url))) return [];
  if (!isPlainObject(item.body)) return [{ path: `${at}.body`, message: "a softwareUpdateStatusSummary patch must be a JSON object" }];
  try {
    validateSoftwareUpdateStatusSummaryPatch(item.body);
    return [];
  } catch (error) {
    if (!isValidationError(error)) throw error;
    return error.issues.map((issue) => ({ path: `${at}.body.${issue.path}`, message: issue.message }));
  }
}
