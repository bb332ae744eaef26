import { expect } from "chai";
import sinon from "sinon";
// The values a user imports from the package root, not the modules behind them.
import {
  constantBackoff,
  customBackoff,
  decorrelatedJitterBackoff,
  exponentialBackoff,
  fullJitterBackoff,
  InvalidOptionsError,
  ResilientRetryHandler,
  type BackoffStrategy,
  type ResilientRetryOptions,
  type RetryEvent,
} from "../../../lib/index.js";
import { makeContext, respond, ScriptedNext } from "../support/scriptedNext.js";

/** Every backoff value the root exports, with the delays it gives for base 100, cap 5000, random 0.5. */
const EXPORTED: ReadonlyArray<[string, BackoffStrategy, number[]]> = [
  ["decorrelatedJitterBackoff", decorrelatedJitterBackoff, [200, 350, 575]],
  ["fullJitterBackoff", fullJitterBackoff, [50, 100, 200]],
  ["exponentialBackoff", exponentialBackoff, [100, 200, 400]],
  ["constantBackoff", constantBackoff, [100, 100, 100]],
  ["customBackoff(fn)", customBackoff(({ retry }) => retry * 70), [70, 140, 210]],
];

/** Sends one request through a real handler (503, 503, 503, 200) and returns the waits it took. */
async function waitsWith(clock: sinon.SinonFakeTimers, backoff: ResilientRetryOptions["backoff"]): Promise<number[]> {
  const handler = new ResilientRetryHandler({ backoff, baseDelayMs: 100, maxDelayMs: 5_000, random: () => 0.5 });
  const next = new ScriptedNext([respond(503), respond(503), respond(503), respond(200, {}, "{}")]);
  handler.setNext(next);
  const retries: RetryEvent[] = [];
  handler.onRetry((event) => retries.push(event));
  const context = makeContext();
  const done = handler.execute(context);
  await clock.tickAsync(10_000);
  await done;
  expect(next.calls).to.equal(4);
  expect(context.response?.status).to.equal(200);
  return retries.map((event) => event.delayMs);
}

describe("the backoff option", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"] });
  });
  afterEach(() => clock.restore());

  for (const [name, backoff, expected] of EXPORTED) {
    it(`accepts the exported ${name} and waits as it says`, async () => {
      expect(await waitsWith(clock, backoff)).to.deep.equal(expected);
    });
  }

  it("gives the same waits for a name as for the builder it stands for", async () => {
    expect(await waitsWith(clock, "decorrelated")).to.deep.equal(await waitsWith(clock, decorrelatedJitterBackoff));
    expect(await waitsWith(clock, "exponential")).to.deep.equal(await waitsWith(clock, exponentialBackoff));
  });

  it("fails the call with InvalidOptionsError naming customBackoff when given a bare delay function", async () => {
    const bare = (() => 42) as unknown as BackoffStrategy;
    const handler = new ResilientRetryHandler({ backoff: bare, baseDelayMs: 100 });
    handler.setNext(new ScriptedNext([respond(503), respond(200, {}, "{}")]));
    const outcome = handler.execute(makeContext()).then(
      () => "ok",
      (error: unknown) => error,
    );
    await clock.tickAsync(1_000);
    const error = await outcome;
    expect(error).to.be.instanceOf(InvalidOptionsError);
    expect((error as Error).message).to.contain("customBackoff");
  });
});
