import { Socket } from "node:net";

/**
 * Resets a connection (TCP RST) without writing any response, so the client sees `ECONNRESET`.
 * A TLS socket cannot be reset itself (its handle is not TCP), so the raw TCP socket under it is.
 * Falls back to a plain `destroy()` when a reset is impossible.
 * @param socket - The request's socket (plain or TLS).
 */
export function resetConnection(socket: Socket): void {
  const parent = (socket as unknown as { _parent?: unknown })._parent;
  const tcp = parent instanceof Socket ? parent : socket;
  try {
    if (typeof tcp.resetAndDestroy === "function") tcp.resetAndDestroy();
  } catch {
    // Not a TCP handle (e.g. a pipe); destroy() below still closes it.
  }
  socket.destroy();
}
