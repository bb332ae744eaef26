// Runs inside headless Chromium: bundled by esbuild from the package's ROOT entry (resolved by
// name through `exports`, as a browser app's bundler would), served from another origin than the
// emulator, so every call is a real cross-origin fetch under CORS.
import { createGraphClient, isGraphNetworkError, type RetryEvent, type ThrottleEvent } from "msgraph-software-update-status";

/** What the Node side hands a scenario. */
export interface ScenarioInput {
  /** The emulator's base URL (http://127.0.0.1:port/). */
  readonly baseUrl: string;
  /** The emulator's host, for `customHosts`. */
  readonly host: string;
  /** A test token for the tenant. */
  readonly token: string;
  /** Concurrent updates in a throttled run. */
  readonly writes: number;
  /** The throttle step's cooldown after a 429 whose Retry-After cannot be read, in ms. */
  readonly defaultCooldownMs: number;
}

/** What a scenario reports back (plain data: it crosses into Node). */
export interface ScenarioResult {
  /** Calls that succeeded. */
  readonly ok: number;
  /** The messages of calls that failed. */
  readonly failures: readonly string[];
  /** Every retry the retry handler made: where its delay came from, and the status retried. */
  readonly retries: ReadonlyArray<Pick<RetryEvent, "delaySource" | "status" | "delayMs" | "reason">>;
  /** The waits of the throttle step's cooldowns, in ms. */
  readonly cooldownWaitsMs: readonly number[];
  /** Wall time of the run, in ms. */
  readonly elapsedMs: number;
  /** What `get()` read back, for update/get. */
  readonly read?: { readonly displayName: unknown; readonly compliantDeviceCount: unknown };
  /** The error of a refused call. */
  readonly error?: { readonly isNetworkError: boolean; readonly kind: string; readonly attempts: number; readonly message: string; readonly causeMessage: string };
}

function client(input: ScenarioInput, retries: ScenarioResult["retries"][number][], cooldowns: number[] = []) {
  return createGraphClient({
    authProvider: { getAccessToken: () => Promise.resolve(input.token) },
    baseUrl: input.baseUrl,
    customHosts: [input.host],
    // A shrunk time base: every wait is tens of milliseconds, so a run takes about a second.
    retry: {
      maxRetries: 10,
      baseDelayMs: 20,
      maxDelayMs: 400,
      onRetry: ({ delaySource, status, delayMs, reason }: RetryEvent) => void retries.push({ delaySource, status, delayMs, reason }),
    },
    // Adaptive pacing off: the run shows the retry handler and the throttle's cooldowns alone.
    throttle: {
      defaultCooldownMs: input.defaultCooldownMs,
      adaptive: false,
      onThrottle: ({ reason, waitMs }: ThrottleEvent) => void (reason === "cooldown" && cooldowns.push(waitMs)),
    },
  });
}

async function updateAndGet(input: ScenarioInput): Promise<ScenarioResult> {
  const started = performance.now();
  const retries: ScenarioResult["retries"][number][] = [];
  const graph = client(input, retries);
  await graph.softwareUpdateStatusSummary().update({ displayName: "Ring 1", compliantDeviceCount: 4 });
  const summary = await graph.softwareUpdateStatusSummary().get();
  return {
    ok: 2,
    failures: [],
    retries,
    cooldownWaitsMs: [],
    elapsedMs: performance.now() - started,
    read: { displayName: summary.displayName, compliantDeviceCount: summary.compliantDeviceCount },
  };
}

async function throttledRun(input: ScenarioInput): Promise<ScenarioResult> {
  const started = performance.now();
  const retries: ScenarioResult["retries"][number][] = [];
  const cooldownWaitsMs: number[] = [];
  const graph = client(input, retries, cooldownWaitsMs);
  const outcomes = await Promise.allSettled(
    Array.from({ length: input.writes }, (_, i) => graph.softwareUpdateStatusSummary().update({ compliantDeviceCount: i })),
  );
  const failures = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [String((outcome.reason as Error).message)] : []));
  return { ok: outcomes.length - failures.length, failures, retries, cooldownWaitsMs, elapsedMs: performance.now() - started };
}

async function refused(input: ScenarioInput): Promise<ScenarioResult> {
  const started = performance.now();
  const retries: ScenarioResult["retries"][number][] = [];
  try {
    await client(input, retries).softwareUpdateStatusSummary().get();
    return { ok: 1, failures: [], retries, cooldownWaitsMs: [], elapsedMs: performance.now() - started };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return {
      ok: 0,
      failures: [String((error as Error).message)],
      retries,
      cooldownWaitsMs: [],
      elapsedMs: performance.now() - started,
      error: {
        isNetworkError: isGraphNetworkError(error),
        kind: isGraphNetworkError(error) ? error.kind : "",
        attempts: isGraphNetworkError(error) ? error.attempts : 0,
        message: String((error as Error).message),
        causeMessage: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause),
      },
    };
  }
}

/** The scenarios, by name. */
export const scenarios = { updateAndGet, throttledRun, refused };
/** A scenario's name. */
export type ScenarioName = keyof typeof scenarios;

(globalThis as { scenarios?: typeof scenarios }).scenarios = scenarios;
