import type { BatchRequestItem } from "./batchTypes.js";

/** The `dependsOn` ids of a request (none when absent or malformed). */
export function dependsOnOf(item: BatchRequestItem): readonly string[] {
  return Array.isArray(item.dependsOn) ? item.dependsOn.filter((id): id is string => typeof id === "string") : [];
}

/**
 * A cycle among the requests' `dependsOn`, as the ids along it, or `undefined` when there is none.
 * Unknown ids are ignored here (validation reports them separately).
 * @param items - The requests.
 */
export function findCycle(items: readonly BatchRequestItem[]): string[] | undefined {
  const byId = new Map(items.map((item) => [item.id, item]));
  const state = new Map<string, "visiting" | "done">();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    const seen = state.get(id);
    if (seen === "done") return undefined;
    if (seen === "visiting") return [...path.slice(path.indexOf(id)), id];
    const item = byId.get(id);
    if (item === undefined) return undefined;
    state.set(id, "visiting");
    path.push(id);
    for (const dep of dependsOnOf(item)) {
      const cycle = visit(dep);
      if (cycle !== undefined) return cycle;
    }
    path.pop();
    state.set(id, "done");
    return undefined;
  };
  for (const item of items) {
    const cycle = visit(item.id);
    if (cycle !== undefined) return cycle;
  }
  return undefined;
}

/**
 * Groups requests linked by `dependsOn` (in either direction), each group in the original order.
 * A group must travel in one batch: Graph resolves `dependsOn` only within a batch.
 * @param items - The requests (ids unique, no cycle).
 */
export function dependencyGroups<T extends BatchRequestItem>(items: readonly T[]): T[][] {
  const parent = new Map<string, string>(items.map((item) => [item.id, item.id]));
  const root = (id: string): string => {
    let current = id;
    while (parent.get(current) !== current) current = parent.get(current) ?? current;
    return current;
  };
  for (const item of items) {
    for (const dep of dependsOnOf(item)) if (parent.has(dep)) parent.set(root(item.id), root(dep));
  }
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const r = root(item.id);
    const group = groups.get(r) ?? [];
    group.push(item);
    groups.set(r, group);
  }
  return [...groups.values()];
}

/**
 * The requests to send again: the chosen ones plus every request that depends on one of them,
 * directly or not (it has not run, or ran before its dependency's final answer), in original order.
 * @param items - The requests of the batch.
 * @param chosen - Ids to re-send.
 */
export function withDependents(items: readonly BatchRequestItem[], chosen: ReadonlySet<string>): Set<string> {
  const result = new Set(chosen);
  let grew = true;
  while (grew) {
    grew = false;
    for (const item of items) {
      if (!result.has(item.id) && dependsOnOf(item).some((dep) => result.has(dep))) {
        result.add(item.id);
        grew = true;
      }
    }
  }
  return result;
}
