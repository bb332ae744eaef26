import { AuthenticationHandlerOptions, type AuthenticationProvider, type MiddlewareOptions } from "@microsoft/microsoft-graph-client";
import { ClaimsCache } from "../throttle/jwtClaims.js";
import type { OrderedWriteOption } from "../chain/OrderedWriteOption.js";
import { createWriteQueue, type WriteQueue } from "./createWriteQueue.js";

/**
 * Writes in order: the updates of one client to one tenant's entity run one at a time, in call
 * order, and the next starts only when every attempt of the previous one has settled.
 *
 * Why every attempt: a retried PATCH whose first attempt timed out may still be applied by the
 * server later. If update N+1 were sent while that attempt could still land, the server could
 * apply N+1 and then the stale N (log `applied 1; applied 3; applied 1`). The retry handler keeps
 * such attempts running instead of aborting them (see `OrderedWriteOption`), so their end is
 * observable; the lane is held until then, or until the write's deadline aborts them.
 *
 * The lane key is the client, the tenant (the `tid` claim of the token the call will be sent
 * with), and the entity path. The API version is not part of it: v1.0 and beta address the same
 * stored entity, so their writes must be ordered together. When the tenant cannot be read (no
 * known provider, a token that is not a JWT, a provider that fails), the call joins the lane
 * `*` of that client, ordered with its other unreadable calls.
 *
 * Not done: reading the entity back (GET) when an attempt outlives the deadline, and re-sending
 * N if it looks older. A GET cannot see a request still in flight, so it proves nothing about
 * what lands afterwards, and re-sending N after its caller was told it failed would be a write
 * nobody asked for. What stays unguaranteed is listed in the README ("Writes in order").
 */

/** The lane of calls whose tenant cannot be read. */
const ANY_TENANT = "*";

interface ClientWrites {
  readonly queue: WriteQueue;
  /** The tail of the calls still resolving their lane, per token source, to enqueue them in call order. */
  readonly intake: WeakMap<object, Promise<void>>;
  /** Decoded claims per token (a provider hands out one token for an hour; decoding it per write cost ~10 µs), gone with the client. */
  readonly claims: ClaimsCache;
}

const writesOf = new WeakMap<object, ClientWrites>();
const providers = new WeakMap<object, AuthenticationProvider>();

/**
 * Tells the ordered writes of `client` which provider its chain takes tokens from, so they can
 * read the tenant of each call. `createGraphClient` does this; for a client built elsewhere,
 * calls without a per-call `AuthenticationHandlerOptions` share one lane.
 * @param client - The client.
 * @param provider - Its authentication provider.
 */
export function rememberAuthProvider(client: object, provider: AuthenticationProvider): void {
  providers.set(client, provider);
}

/** One ordered write. */
export interface OrderedWrite<T> {
  /** The client it goes through. */
  readonly client: object;
  /** The entity path. */
  readonly path: string;
  /** The caller's middleware options (an `AuthenticationHandlerOptions` among them picks the token). */
  readonly middlewareOptions: readonly MiddlewareOptions[] | undefined;
  /** The caller's abort signal. */
  readonly signal: AbortSignal | undefined;
  /** The option sent with the write, which tracks its attempts. */
  readonly order: OrderedWriteOption;
  /** Sends the write. */
  readonly send: () => Promise<T>;
}

/**
 * Runs a write in its lane: after every earlier write of the same client, tenant and entity, and
 * holding the lane until all of its attempts have settled.
 * @param write - The write.
 * @returns What `send` returns, as soon as it does.
 */
export async function runOrderedWrite<T>(write: OrderedWrite<T>): Promise<T> {
  let state = writesOf.get(write.client);
  if (state === undefined) {
    state = { queue: createWriteQueue(), intake: new WeakMap(), claims: new ClaimsCache(16) };
    writesOf.set(write.client, state);
  }
  const auth = write.middlewareOptions?.find(
    (option): option is AuthenticationHandlerOptions => option instanceof AuthenticationHandlerOptions && option.authenticationProvider !== undefined,
  );
  const provider = auth?.authenticationProvider ?? providers.get(write.client);
  const tenant = readTenant(provider, auth, state.claims);

  // Lanes are resolved concurrently but joined in call order: a call waits for the earlier calls
  // with the same token source (which would share its lane) to join theirs first.
  const source: object = provider ?? write.client;
  const earlier = state.intake.get(source);
  let joined = (): void => undefined;
  const mine = new Promise<void>((resolve) => (joined = resolve));
  state.intake.set(source, mine);
  let running: Promise<T>;
  try {
    if (earlier !== undefined) await earlier;
    running = state.queue.run(`${await tenant}\n${write.path}`, write.signal, write.send, () => write.order.settled());
  } finally {
    // `run` queues synchronously, so the next call may join now.
    joined();
    if (state.intake.get(source) === mine) state.intake.delete(source);
  }
  return running;
}

/** The tenant of the token the call will use, or {@link ANY_TENANT}. Never throws. */
async function readTenant(provider: AuthenticationProvider | undefined, auth: AuthenticationHandlerOptions | undefined, claims: ClaimsCache): Promise<string> {
  if (provider === undefined) return ANY_TENANT;
  try {
    const token = await provider.getAccessToken(auth?.authenticationProviderOptions);
    return claims.get(token)?.tid ?? ANY_TENANT;
  } catch {
    // The chain asks the provider again and reports its error with the call.
    return ANY_TENANT;
  }
}
