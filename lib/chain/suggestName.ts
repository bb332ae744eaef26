import { distance } from "fastest-levenshtein";

/**
 * The candidate closest to a misspelt name, or `undefined` when none is reasonably close.
 * A case-insensitive match always wins; otherwise the edit distance (ignoring case) must be at
 * most 2, or 30% of the longer name, whichever is larger. Ties go to the earlier candidate.
 * @param name - The unknown name the caller wrote.
 * @param candidates - The valid names, in preference order.
 */
export function suggestName(name: string, candidates: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(lower, candidate.toLowerCase());
    const allowed = Math.max(2, Math.floor(0.3 * Math.max(name.length, candidate.length)));
    if (d <= allowed && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}
