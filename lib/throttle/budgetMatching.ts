import type { RequestTarget } from "./readRequestTarget.js";
import type { BudgetMethods, BudgetRoute, ThrottleBudget } from "./ThrottleBudget.js";


/** A budget ready for matching, with its effective window (safety margin included). */
export interface ResolvedBudget {
  /** The name used in the store key and in stats. */
  readonly name: string;
  /** Counted per tenant, per app per tenant, or per app across all tenants. */
  readonly scope: ThrottleBudget["scope"];
  /** Grants allowed per window. */
  readonly limit: number;
  /** The window enforced in the store on grant times: the declared one, scaled, plus the safety margin. */
  readonly windowMs: number;
  /** The declared window, scaled, without margin. */
  readonly nominalWindowMs: number;
  /** Whether the budget covers a request. */
  readonly matches: (target: RequestTarget) => boolean;
}

/** The safety margin added to every window, because the server sees a request a little after we grant it. */
export interface WindowMargin {
  /** Fraction of the window added. */
  readonly ratio: number;
  /** Milliseconds added. */
  readonly ms: number;
}

/**
 * Prepares budgets for matching.
 * @param budgets - The declared budgets.
 * @param timeScale - Multiplies every window (to shrink presets in tests).
 * @param margin - The safety margin.
 * @param namePrefix - Prefix of derived names.
 */
export function resolveBudgets(
  budgets: readonly ThrottleBudget[],
  timeScale: number,
  margin: WindowMargin,
  namePrefix: string,
): ResolvedBudget[] {
  return budgets.map((budget, index) => {
    const windowMs = budget.windowMs * timeScale;
    const routeMatches = routeMatcher(budget.route);
    const methodMatches = methodMatcher(budget.methods);
    return {
      name: budget.name ?? derivedName(budget, index, namePrefix),
      scope: budget.scope,
      limit: budget.limit,
      windowMs: Math.ceil(windowMs * (1 + margin.ratio) + margin.ms),
      nominalWindowMs: windowMs,
      matches: (target) => methodMatches(target) && routeMatches(target.path),
    };
  });
}

function derivedName(budget: ThrottleBudget, index: number, prefix: string): string {
  const route = typeof budget.route === "function" ? `${prefix}${index}` : String(budget.route);
  const methods = typeof budget.methods === "string" ? budget.methods : budget.methods.join(",");
  return `${route}|${methods}|${budget.scope}|${budget.limit}/${budget.windowMs}`;
}

function routeMatcher(route: BudgetRoute): (path: string) => boolean {
  if (typeof route === "function") return route;
  if (route instanceof RegExp) {
    // A global or sticky RegExp keeps state between tests; use a stateless copy.
    const regex = new RegExp(route.source, route.flags.replace(/[gy]/g, ""));
    return (path) => regex.test(path);
  }
  const prefix = route.toLowerCase();
  return (path) => path.toLowerCase().startsWith(prefix);
}

function methodMatcher(methods: BudgetMethods): (target: RequestTarget) => boolean {
  if (methods === "any") return () => true;
  if (methods === "write") return (target) => target.isWrite;
  const set = new Set(methods.map((m) => m.toUpperCase()));
  return (target) => set.has(target.method);
}
