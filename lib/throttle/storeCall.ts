import type { CountRequest, RateChange, RefundRequest, ReserveRequest, SettleRequest, ThrottleStore } from "./ThrottleStore.js";

/** A store method the handler calls. */
export type StoreOperation = "reserve" | "extendCooldown" | "cooldownRemaining" | "readRate" | "adjustRate" | "refund" | "settle" | "countGrants";

/**
 * One store call as data, so the guard can send it to either store, copy its effect into the
 * fallback, and replay it as a probe.
 */
export type StoreCall =
  | { readonly operation: "reserve"; readonly request: ReserveRequest }
  | { readonly operation: "extendCooldown"; readonly key: string; readonly durationMs: number }
  | { readonly operation: "cooldownRemaining"; readonly key: string }
  | { readonly operation: "readRate"; readonly key: string }
  | { readonly operation: "adjustRate"; readonly key: string; readonly change: RateChange }
  | { readonly operation: "refund"; readonly request: RefundRequest }
  | { readonly operation: "settle"; readonly request: SettleRequest }
  | { readonly operation: "countGrants"; readonly request: CountRequest };

/**
 * Runs a call on a store (a store without `refund` keeps the grant, as the interface allows).
 * @param store - Any store.
 * @param call - The call.
 */
export function runStoreCall(store: ThrottleStore, call: StoreCall): Promise<unknown> {
  switch (call.operation) {
    case "reserve":
      return store.reserve(call.request);
    case "extendCooldown":
      return store.extendCooldown(call.key, call.durationMs);
    case "cooldownRemaining":
      return store.cooldownRemaining(call.key);
    case "readRate":
      return store.readRate(call.key);
    case "adjustRate":
      return store.adjustRate(call.key, call.change);
    case "refund":
      return store.refund?.(call.request) ?? Promise.resolve();
    case "settle":
      return store.settle?.(call.request) ?? Promise.resolve();
    case "countGrants":
      return store.countGrants?.(call.request) ?? Promise.resolve(undefined);
  }
}

/**
 * Copies what a call did on the shared store into the fallback, so a switch to the fallback starts
 * from warm state: grants, cooldowns and rates. Reads change nothing, so they are not copied.
 * @param fallback - The fallback store.
 * @param call - The call that succeeded on the shared store.
 * @param result - Its answer.
 */
export async function mirrorStoreCall(fallback: ThrottleStore, call: StoreCall, result: unknown): Promise<void> {
  switch (call.operation) {
    case "reserve":
      if ((result as { granted?: unknown }).granted === true) await fallback.reserve(call.request);
      return;
    case "extendCooldown":
      await fallback.extendCooldown(call.key, result as number);
      return;
    case "adjustRate": {
      const rate = result as number;
      await fallback.adjustRate(call.key, { initial: rate, set: rate, min: call.change.min, max: call.change.max });
      return;
    }
    case "refund":
      await fallback.refund?.(call.request);
      return;
    default:
      return;
  }
}

/**
 * The call a recovery probe makes: the call that started the outage, made harmless. Probing with
 * the real operation (not a ping) means a problem that only that operation hits, such as a key of
 * the wrong type, keeps the store on its fallback instead of recovering and failing again.
 * - `reserve` is replayed and its grant, if any, given back at once (a paced key's pacer still
 *   moves one interval on, which only delays the next grant slightly);
 * - `extendCooldown` becomes `cooldownRemaining` (same key), `adjustRate` becomes `readRate`;
 * - `refund` and `settle` become `cooldownRemaining` (a read), so they are never applied twice;
 * - reads (`countGrants` too) are replayed as they are.
 * @param store - The shared store.
 * @param call - The call that failed.
 */
export async function probeStoreCall(store: ThrottleStore, call: StoreCall): Promise<void> {
  switch (call.operation) {
    case "reserve": {
      const result = await store.reserve(call.request);
      const windowKeys = call.request.windows.map((window) => window.key);
      // By its ticket: a settled grant may be newer than the probe's own.
      if (result.granted && windowKeys.length > 0) await store.refund?.(result.ticket === undefined ? { windowKeys } : { windowKeys, ticket: result.ticket });
      return;
    }
    case "extendCooldown":
    case "cooldownRemaining":
      await store.cooldownRemaining(call.key);
      return;
    case "adjustRate":
    case "readRate":
      await store.readRate(call.key);
      return;
    case "refund":
      await store.cooldownRemaining(call.request.windowKeys[0] ?? "probe");
      return;
    case "settle":
      await store.cooldownRemaining(call.request.windows[0]?.key ?? "probe");
      return;
    case "countGrants":
      await store.countGrants?.(call.request);
      return;
  }
}
