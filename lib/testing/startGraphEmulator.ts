import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { Server as NetServer, type AddressInfo, type Socket } from "node:net";
import { createSecureContext } from "node:tls";
import type { Agent } from "undici";
import { emulatorCertificate } from "./certificate.js";
import { monotonicNow } from "../chain/monotonicNow.js";
import { importOptionalPeer } from "./optionalPeer.js";
import { createFaultPicker } from "./faults.js";
import { resolveEmulatorOptions } from "./options.js";
import { createRequestHandler, type EmulatorState } from "./requestHandler.js";
import { createStatsRecorder } from "./statsRecorder.js";
import { createEmulatorThrottle } from "./throttle.js";
import type { GraphEmulator, GraphEmulatorOptions } from "./types.js";

type Server = HttpServer | HttpsServer;

const HOST = "127.0.0.1";
// The client gives up idle connections well before the server does, so it never reuses one the server is closing.
const SERVER_KEEP_ALIVE_MS = 10_000;
const CLIENT_KEEP_ALIVE_MS = 4_000;
/** Connections the emulator's `fetchOptions` dispatcher opens at most (per emulator). */
const CLIENT_CONNECTIONS = 1024;

/**
 * Starts a local Graph emulator for `softwareUpdateStatusSummary` on `127.0.0.1`: GET and PATCH
 * for v1.0 and beta, one entity per tenant (the token's `tid`), Graph-shaped errors, throttling per
 * tenant and app (exact sliding windows by default; fixed windows, token buckets and concurrency
 * limits per route class, changeable at run time), and seeded fault injection.
 *
 * HTTPS by default, with a self-signed certificate trusted only through `fetchOptions`, so the
 * stock `AuthenticationHandler` attaches tokens (it only does so for `https://` custom hosts).
 *
 * @example
 * ```ts
 * const emu = await startGraphEmulator({ timeScale: 0.05 });
 * const client = Client.initWithMiddleware({
 *   authProvider: staticTokenProvider(createTestToken({ tenantId: "contoso" })),
 *   baseUrl: emu.url, customHosts: new Set([emu.host]), fetchOptions: emu.fetchOptions,
 * });
 * await client.api("/deviceManagement/softwareUpdateStatusSummary").get();
 * await emu.close();
 * ```
 * @param options - Port, protocol, limits, time scale, `Retry-After` format, PATCH status and faults.
 * @throws InvalidOptionsError when an option is invalid.
 */
export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const resolved = resolveEmulatorOptions(options);
  // Loaded before anything starts, so a missing optional peer leaves nothing to clean up.
  const { Agent } = await importOptionalPeer("undici", () => import("undici"));
  const state: EmulatorState = {
    options: resolved,
    entities: new Map(),
    throttle: createEmulatorThrottle(resolved.limits, resolved.timeScale),
    faults: createFaultPicker(resolved.faults),
    stats: createStatsRecorder(),
    timers: new Set(),
    hung: new Set(),
    closing: false,
  };
  const handler = createRequestHandler(state);
  const certificate = resolved.protocol === "https" ? await emulatorCertificate() : undefined;
  const server: Server =
    certificate === undefined
      ? createHttpServer({ keepAliveTimeout: SERVER_KEEP_ALIVE_MS }, handler)
      : createHttpsServer({ key: certificate.key, cert: certificate.cert, keepAliveTimeout: SERVER_KEEP_ALIVE_MS }, handler);
  server.keepAliveTimeout = SERVER_KEEP_ALIVE_MS;
  // Node would answer 408 to a request still open after 5 minutes; a hung request must wait for close().
  server.requestTimeout = 0;
  // Every socket (raw ones, including those still in the TLS handshake, and TLS ones), so close() can drop them all.
  const sockets = new Set<Socket>();
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  server.on("connection", track);
  if (certificate !== undefined) server.on("secureConnection", track);
  await listen(server, resolved.port);
  // Limit schedules count from the moment the emulator can be called (making the certificate takes a while).
  state.throttle.reset(monotonicNow());
  const { port } = server.address() as AddressInfo;
  const protocol = certificate === undefined ? "http" : "https";
  const agent = new Agent({
    // One shared secure context trusting only our certificate (`ca` alone would build a new one per connection).
    connect: certificate === undefined ? {} : { ca: certificate.cert, secureContext: createSecureContext({ ca: certificate.cert }) },
    keepAliveTimeout: CLIENT_KEEP_ALIVE_MS,
    connections: CLIENT_CONNECTIONS,
  });
  let closed: Promise<void> | undefined;

  return {
    url: `${protocol}://${HOST}:${port}/`,
    host: HOST,
    port,
    ca: certificate?.cert,
    // undici's dispatcher is not in the DOM RequestInit type, but Node's fetch reads it.
    fetchOptions: { dispatcher: agent } as RequestInit,
    entity(tenant) {
      const stored = state.entities.get(tenant);
      return stored === undefined ? undefined : structuredClone(stored);
    },
    stats: () => ({ ...state.stats.snapshot(), limits: state.throttle.stats(monotonicNow()) }),
    reset() {
      state.stats.reset();
      state.entities.clear();
      state.throttle.reset(monotonicNow());
    },
    setFaults(faults) {
      state.faults = createFaultPicker(faults);
    },
    setLimits(limits) {
      state.throttle.setLimits(limits === false ? [] : limits, monotonicNow());
    },
    close() {
      closed ??= closeAll(server, sockets, state, agent);
      return closed;
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function closeAll(server: Server, sockets: Set<Socket>, state: EmulatorState, agent: Agent): Promise<void> {
  state.closing = true;
  for (const timer of state.timers) clearTimeout(timer);
  state.timers.clear();
  for (const response of state.hung) response.destroy();
  for (const socket of sockets) socket.destroy();
  // Node's HTTP connection list can briefly hold an entry whose socket is null (nodejs/node#43795), and then
  // close(), closeIdleConnections() and closeAllConnections() throw. Every socket is destroyed above, so fall
  // back to closing the listener alone.
  try {
    server.closeAllConnections();
  } catch {
    // See above.
  }
  const serverClosed = new Promise<void>((resolve) => {
    try {
      server.close(() => resolve());
    } catch {
      NetServer.prototype.close.call(server, () => resolve());
    }
  });
  await Promise.all([serverClosed, agent.destroy().catch(() => undefined)]);
}
