import { AuthenticationHandler, Client, HTTPMessageHandler, type Middleware } from "@microsoft/microsoft-graph-client";
import { ResilientRetryHandler } from "../../../lib/retry/ResilientRetryHandler.js";
import { ThrottleHandler } from "../../../lib/throttle/ThrottleHandler.js";
import type { ThrottleHandlerOptions } from "../../../lib/throttle/ThrottleHandlerOptions.js";
import { createTestToken, staticTokenProvider, type GraphEmulator } from "../../../lib/testing/index.js";

/** The entity's path. */
export const ENTITY = "/deviceManagement/softwareUpdateStatusSummary";

/** A client whose chain is auth → retry (optional) → throttle (optional) → HTTP, against the emulator. */
export interface EmulatorClient {
  readonly client: Client;
  readonly throttle: ThrottleHandler | undefined;
}

/** Options of {@link emulatorClient}. */
export interface EmulatorClientOptions {
  readonly tenant?: string;
  readonly throttle?: ThrottleHandlerOptions | ThrottleHandler | false;
  /** Retries for 429s (the package's retry handler), or false for none. @default 10 */
  readonly retries?: number | false;
}

/**
 * Builds the official client with our chain against a running emulator.
 * @param emu - The emulator.
 * @param options - Tenant, throttle options (or a shared handler) and retries.
 */
export function emulatorClient(emu: GraphEmulator, options: EmulatorClientOptions = {}): EmulatorClient {
  const token = createTestToken({ tenantId: options.tenant ?? "tenant-a" });
  const middleware: Middleware[] = [new AuthenticationHandler(staticTokenProvider(token))];
  if (options.retries !== false) middleware.push(new ResilientRetryHandler({ maxRetries: options.retries ?? 10 }));
  const throttle = options.throttle === false ? undefined : options.throttle instanceof ThrottleHandler ? options.throttle : new ThrottleHandler(options.throttle ?? {});
  if (throttle !== undefined) middleware.push(throttle);
  middleware.push(new HTTPMessageHandler());
  const client = Client.initWithMiddleware({ middleware, baseUrl: emu.url, customHosts: new Set([emu.host]), fetchOptions: emu.fetchOptions });
  return { client, throttle };
}

/** One PATCH of the entity. */
export function patch(client: Client, n: number): Promise<unknown> {
  return client.api(ENTITY).patch({ "@odata.type": "#microsoft.graph.softwareUpdateStatusSummary", compliantDeviceCount: n });
}

/**
 * {@link patchMany}, watching the window the throttle learns for its first key (polled every 20 ms):
 * resolves also to each window it took, in order.
 */
export async function patchManyWatchingWindow(
  client: Client,
  throttle: ThrottleHandler | undefined,
  count: number,
  concurrency: number,
): Promise<{ ms: number; failed: number; windows: number[] }> {
  const windows: number[] = [];
  const poll = setInterval(() => {
    const w = throttle?.stats()[0]?.rates[0]?.windowMs;
    if (w !== undefined && w !== windows.at(-1)) windows.push(w);
  }, 20);
  try {
    return { ...(await patchMany(client, count, concurrency)), windows };
  } finally {
    clearInterval(poll);
  }
}

/**
 * Sends `count` PATCHes with at most `concurrency` at once; resolves to the milliseconds it took
 * and the number that failed.
 */
export async function patchMany(client: Client, count: number, concurrency: number): Promise<{ ms: number; failed: number }> {
  const started = performance.now();
  let next = 0;
  let failed = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const n = next;
      next += 1;
      await patch(client, n).catch(() => {
        failed += 1;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { ms: performance.now() - started, failed };
}
