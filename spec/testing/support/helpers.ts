import { startGraphEmulator, type GraphEmulator } from "../../../lib/testing/index.js";

/** The entity path, relative to the emulator's url. */
export const SUMMARY = "v1.0/deviceManagement/softwareUpdateStatusSummary";

/** A raw call to the emulator, with the emulator's own dispatcher. */
export interface CallOptions {
  method?: string;
  path?: string;
  token?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** A response read in full. */
export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

/** Sends one request with fetch and reads the whole response. */
export async function call(emu: GraphEmulator, options: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = { ...options.headers };
  const token = options.token === undefined ? "tenant-a" : options.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers["content-type"] = "application/json";
  }
  const response = await fetch(emu.url + (options.path ?? SUMMARY), {
    ...emu.fetchOptions,
    method: options.method ?? (body === undefined ? "GET" : "PATCH"),
    headers,
    body,
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === "" ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** The Graph error object of a response body. */
export function graphError(result: CallResult): { code: string; message: string; innerError: Record<string, string> } {
  return (result.json as { error: { code: string; message: string; innerError: Record<string, string> } }).error;
}

/** Resolves after `ms` real milliseconds (short waits only, for sliding windows in the shrunk time base). */
export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** UUID v4-ish shape. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * For a `describe` block: returns a function that starts an emulator, and closes every emulator
 * it started after each test.
 */
export function useEmulators(): (...args: Parameters<typeof startGraphEmulator>) => Promise<GraphEmulator> {
  const started: GraphEmulator[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((emu) => emu.close()));
  });
  return async (...args) => {
    const emu = await startGraphEmulator(...args);
    started.push(emu);
    return emu;
  };
}
