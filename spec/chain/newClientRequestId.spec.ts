import { expect } from "chai";
import { newClientRequestId } from "../../lib/chain/newClientRequestId.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Runs `fn` with `globalThis.crypto` replaced. */
function withCrypto<T>(value: unknown, fn: () => T): T {
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, "crypto");
  if (descriptor === undefined) throw new Error("no crypto property to replace");
  Object.defineProperty(globalThis, "crypto", { value, configurable: true, writable: true });
  try {
    return fn();
  } finally {
    Object.defineProperty(globalThis, "crypto", descriptor);
  }
}

describe("client/newClientRequestId", () => {
  it("returns distinct UUID v4 values", () => {
    const ids = new Set(Array.from({ length: 100 }, () => newClientRequestId()));
    expect(ids.size).to.equal(100);
    for (const id of ids) expect(id).to.match(UUID_V4);
  });

  it("falls back to getRandomValues, then Math.random, where randomUUID is missing (Node 18)", () => {
    const viaRandomValues = withCrypto({ getRandomValues: (bytes: Uint8Array) => bytes.fill(0xff) }, newClientRequestId);
    expect(viaRandomValues).to.equal("ffffffff-ffff-4fff-bfff-ffffffffffff");
    const viaMathRandom = withCrypto(undefined, () => [newClientRequestId(), newClientRequestId()]);
    expect(viaMathRandom[0]).to.match(UUID_V4);
    expect(viaMathRandom[0]).to.not.equal(viaMathRandom[1]);
  });
});
