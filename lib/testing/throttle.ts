import { createSlidingWindow, type SlidingWindow } from "./slidingWindow.js";
import type { EmulatorLimit } from "./types.js";

/** The throttle's answer for one request. */
export type ThrottleDecision =
  | { readonly admitted: true }
  | {
      readonly admitted: false;
      /** Milliseconds until every blocking window has a free slot (> 0). */
      readonly retryAfterMs: number;
      /** Names of the limits that refused the request. */
      readonly blockedBy: readonly string[];
    };

/** Per-tenant sliding-window throttling of the emulator. */
export interface EmulatorThrottle {
  /**
   * Admits the request and consumes one slot in every window that applies, or refuses it and
   * consumes nothing.
   * @param tenant - The tenant of the token.
   * @param app - The app of the token.
   * @param isWrite - Whether the request is a write (POST, PUT, PATCH, DELETE).
   * @param at - The time of the request in milliseconds, on one monotonic clock for all calls.
   */
  admit(tenant: string, app: string, isWrite: boolean, at: number): ThrottleDecision;
  /** Forgets every window. */
  reset(): void;
  /** How many windows are held in memory (for leak checks). */
  windowCount(): number;
}

/**
 * Creates the emulator's throttle. State is keyed by tenant (and app), so one tenant's throttling
 * never affects another.
 * @param limits - The rules; an empty list admits everything.
 * @param timeScale - Multiplies every window.
 */
export function createEmulatorThrottle(limits: readonly EmulatorLimit[], timeScale: number): EmulatorThrottle {
  const rules = limits.map((limit, index) => ({ ...limit, index, windowMs: limit.windowMs * timeScale }));
  const longestWindowMs = rules.reduce((max, rule) => Math.max(max, rule.windowMs), 0);
  let windows = new Map<string, { window: SlidingWindow; windowMs: number }>();
  let lastSweep = -Infinity;

  // Empty windows are dropped now and then, so many short-lived tenants do not leak memory.
  function sweep(at: number): void {
    if (at - lastSweep < Math.max(longestWindowMs, 1000)) return;
    lastSweep = at;
    for (const [key, entry] of windows) {
      if (entry.window.lastAt() + entry.windowMs <= at) windows.delete(key);
    }
  }

  return {
    admit(tenant, app, isWrite, at) {
      if (rules.length === 0) return { admitted: true };
      sweep(at);
      const applicable: SlidingWindow[] = [];
      const blockedBy: string[] = [];
      let retryAfterMs = 0;
      for (const rule of rules) {
        if (rule.requests === "write" && !isWrite) continue;
        const key = rule.scope === "app" ? `${rule.index}\u0000${tenant}\u0000${app}` : `${rule.index}\u0000${tenant}`;
        let entry = windows.get(key);
        if (entry === undefined) {
          entry = { window: createSlidingWindow(rule.limit, rule.windowMs), windowMs: rule.windowMs };
          windows.set(key, entry);
        }
        const wait = entry.window.waitMs(at);
        if (wait > 0) {
          blockedBy.push(rule.name);
          // Admission needs room in every window, so the wait is the longest one.
          retryAfterMs = Math.max(retryAfterMs, wait);
        }
        applicable.push(entry.window);
      }
      if (blockedBy.length > 0) return { admitted: false, retryAfterMs, blockedBy };
      for (const window of applicable) window.record(at);
      return { admitted: true };
    },
    reset() {
      windows = new Map();
      lastSweep = -Infinity;
    },
    windowCount: () => windows.size,
  };
}
