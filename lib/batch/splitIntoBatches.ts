import { ValidationError } from "../errors/ValidationError.js";
import { MAX_BATCH_REQUESTS, type BatchRequestItem } from "./batchTypes.js";
import { dependencyGroups } from "./dependencies.js";

/**
 * Splits any number of requests into batches of at most `maxSize`, keeping every `dependsOn`
 * chain inside one batch (Graph resolves `dependsOn` only within a batch) and the original order
 * within each batch. Groups are packed first-fit, so small groups fill the gaps big ones leave.
 * @param items - The requests (validated: unique ids, known dependencies, no cycle).
 * @param maxSize - The most requests per batch. @default 20
 * @throws ValidationError when a chain of dependent requests is longer than `maxSize`.
 */
export function splitIntoBatches<T extends BatchRequestItem>(items: readonly T[], maxSize: number = MAX_BATCH_REQUESTS): T[][] {
  const groups = dependencyGroups(items);
  const tooBig = groups.filter((group) => group.length > maxSize);
  if (tooBig.length > 0) {
    throw new ValidationError(
      "batch requests",
      tooBig.map((group) => ({
        path: `requests[${items.indexOf(group[0] as T)}]`,
        message: `${group.length} requests are linked by dependsOn; one batch carries at most ${maxSize}`,
      })),
    );
  }
  const batches: T[][] = [];
  for (const group of groups) {
    const fit = batches.find((batch) => batch.length + group.length <= maxSize);
    if (fit === undefined) batches.push([...group]);
    else fit.push(...group);
  }
  // First-fit may append a later group to an earlier batch: restore the original order inside each.
  const position = new Map(items.map((item, i) => [item.id, i]));
  for (const batch of batches) batch.sort((a, b) => (position.get(a.id) ?? 0) - (position.get(b.id) ?? 0));
  return batches;
}
