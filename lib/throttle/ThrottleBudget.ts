/** Which requests a budget counts: writes (POST, PUT, PATCH, DELETE), any request, or listed methods. */
export type BudgetMethods = "write" | "any" | readonly string[];

/**
 * Which request paths a budget covers. The path is the URL path after the version segment
 * (`/deviceManagement/softwareUpdateStatusSummary` for `https://graph.microsoft.com/v1.0/deviceManagement/...`).
 * A string is a case-insensitive prefix (Graph paths are case-insensitive); a `RegExp` is tested
 * against the path; a function decides.
 */
export type BudgetRoute = string | RegExp | ((path: string) => boolean);

/** A known limit of the service: at most `limit` requests in any span of `windowMs`. */
export interface ThrottleBudget {
  /**
   * Names the budget in stats and in the store key. Processes sharing a store must use the same
   * names. @default derived from route, methods, scope, limit and window (a function route uses its index)
   */
  readonly name?: string;
  /** The paths it covers. */
  readonly route: BudgetRoute;
  /** The requests it counts. */
  readonly methods: BudgetMethods;
  /**
   * Counted per tenant (all apps together), per app per tenant, or per app across all tenants
   * (`"app-all-tenants"`, as Graph's global limit of 130,000 requests per 10 s per app counts).
   */
  readonly scope: "tenant" | "app" | "app-all-tenants";
  /** Requests allowed in any span of `windowMs`. */
  readonly limit: number;
  /** The window, in milliseconds. */
  readonly windowMs: number;
}

/** Matches `/deviceManagement` and everything under it, in any letter case. */
const DEVICE_MANAGEMENT = /^\/deviceManagement(?:\/|$)/i;

/**
 * The documented Intune device configuration limits, which cover `softwareUpdateStatusSummary`:
 * writes 100 / 20 s per app per tenant and 200 / 20 s per tenant; any request 1000 / 20 s per app
 * per tenant and 2000 / 20 s per tenant. They apply to `/deviceManagement/...`.
 */
export const INTUNE_DEVICE_CONFIGURATION_BUDGETS: readonly ThrottleBudget[] = Object.freeze([
  { name: "intune-devconfig-writes-app", route: DEVICE_MANAGEMENT, methods: "write", scope: "app", limit: 100, windowMs: 20_000 },
  { name: "intune-devconfig-writes-tenant", route: DEVICE_MANAGEMENT, methods: "write", scope: "tenant", limit: 200, windowMs: 20_000 },
  { name: "intune-devconfig-any-app", route: DEVICE_MANAGEMENT, methods: "any", scope: "app", limit: 1000, windowMs: 20_000 },
  { name: "intune-devconfig-any-tenant", route: DEVICE_MANAGEMENT, methods: "any", scope: "tenant", limit: 2000, windowMs: 20_000 },
] satisfies ThrottleBudget[]);
