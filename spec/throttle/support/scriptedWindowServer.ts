import { scriptedNext, type ScriptedNext } from "./fakeChain.js";

/** A scripted sliding-window server for fake timers: `limitAt(t)` per `windowMs`, exact fractional Retry-After. */
export interface ScriptedWindowServer {
  readonly next: ScriptedNext;
  /** Arrival times of admitted requests. */
  readonly admitted: number[];
  /** Arrival times of refused requests. */
  readonly refused: number[];
}

/**
 * Builds the server: a request arrives `latencyMs` after it is sent, is judged then, and is
 * answered at once (204, or 429 with the exact wait until a slot frees).
 */
export function scriptedWindowServer(windowMs: number, limitAt: (now: number) => number, latencyMs = 5): ScriptedWindowServer {
  const admitted: number[] = [];
  const refused: number[] = [];
  const next = scriptedNext(
    () =>
      new Promise<Response>((resolve) => {
        setTimeout(() => {
          const now = Date.now();
          const inWindow = admitted.filter((t) => t > now - windowMs);
          const limit = limitAt(now);
          if (inWindow.length < limit) {
            admitted.push(now);
            resolve(new Response(null, { status: 204 }));
            return;
          }
          refused.push(now);
          const oldest = inWindow[inWindow.length - limit] ?? now;
          const waitMs = Math.max(1, oldest + windowMs - now);
          resolve(new Response(null, { status: 429, headers: { "Retry-After": (waitMs / 1000).toFixed(3) } }));
        }, latencyMs);
      }),
  );
  return { next, admitted, refused };
}
