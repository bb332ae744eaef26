import { scriptedNext, type ScriptedNext } from "./fakeChain.js";

/** A scripted sliding-window server for fake timers: `limitAt(t)` per `windowMs`, exact fractional Retry-After (or whole seconds). */
export interface ScriptedWindowServer {
  readonly next: ScriptedNext;
  /** Arrival times of admitted requests. */
  readonly admitted: number[];
  /** Arrival times of refused requests. */
  readonly refused: number[];
}

/** How the scripted server behaves beyond its limit. */
export interface ScriptedWindowOptions {
  /** How long after it is sent a request arrives. @default 5 */
  readonly latencyMs?: number;
  /** Refused requests take a place in the window too, as SharePoint counts them. @default false */
  readonly countRefused?: boolean;
  /** `Retry-After` in whole seconds, rounded up (as most Graph services send it), not exact. @default false */
  readonly wholeSeconds?: boolean;
}

/**
 * Builds the server: a request arrives `latencyMs` after it is sent, is judged then, and is
 * answered at once (204, or 429 with the exact wait until a slot frees).
 */
export function scriptedWindowServer(windowMs: number, limitAt: (now: number) => number, options: ScriptedWindowOptions = {}): ScriptedWindowServer {
  const { latencyMs = 5, countRefused = false, wholeSeconds = false } = options;
  const admitted: number[] = [];
  const refused: number[] = [];
  // What the window counts: the admitted requests, and the refused ones too when they count.
  const counted: number[] = [];
  const next = scriptedNext(
    () =>
      new Promise<Response>((resolve) => {
        setTimeout(() => {
          const now = Date.now();
          const inWindow = counted.filter((t) => t > now - windowMs);
          const limit = limitAt(now);
          if (inWindow.length < limit) {
            admitted.push(now);
            counted.push(now);
            resolve(new Response(null, { status: 204 }));
            return;
          }
          refused.push(now);
          if (countRefused) counted.push(now);
          const oldest = inWindow[inWindow.length - limit] ?? now;
          const waitMs = Math.max(1, oldest + windowMs - now);
          const retryAfter = wholeSeconds ? String(Math.ceil(waitMs / 1000)) : (waitMs / 1000).toFixed(3);
          resolve(new Response(null, { status: 429, headers: { "Retry-After": retryAfter } }));
        }, latencyMs);
      }),
  );
  return { next, admitted, refused };
}
