import { expect } from "chai";
import fc from "fast-check";
import type { Backoff, BackoffSettings } from "../../../lib/retry/backoff/Backoff.js";
import { constantBackoff } from "../../../lib/retry/backoff/constantBackoff.js";
import { createBackoff } from "../../../lib/retry/backoff/createBackoff.js";
import { customBackoff } from "../../../lib/retry/backoff/customBackoff.js";
import { decorrelatedJitterBackoff } from "../../../lib/retry/backoff/decorrelatedJitterBackoff.js";
import { exponentialBackoff } from "../../../lib/retry/backoff/exponentialBackoff.js";
import { fullJitterBackoff } from "../../../lib/retry/backoff/fullJitterBackoff.js";
import { functionBackoff } from "../../../lib/retry/backoff/functionBackoff.js";
import { InvalidOptionsError } from "../../../lib/errors/InvalidOptionsError.js";

function delays(first: Backoff, count: number): number[] {
  const out: number[] = [];
  let step = first;
  for (let i = 0; i < count; i++) {
    out.push(step.delayMs);
    if (i < count - 1) step = step.next();
  }
  return out;
}

const settings = (random: () => number, baseMs = 100, capMs = 5_000): BackoffSettings => ({ baseMs, capMs, random });

describe("backoff strategies", () => {
  describe("decorrelatedJitterBackoff", () => {
    it("stays within [base, cap] for any random sequence", () => {
      fc.assert(
        fc.property(
          fc.array(fc.double({ min: 0, max: 0.9999999, noNaN: true }), { minLength: 1, maxLength: 40 }),
          fc.integer({ min: 0, max: 10_000 }),
          fc.integer({ min: 0, max: 100_000 }),
          (randoms, baseMs, extra) => {
            let i = 0;
            const capMs = baseMs + extra;
            const values = delays(decorrelatedJitterBackoff(settings(() => randoms[i++ % randoms.length] ?? 0, baseMs, capMs)), randoms.length);
            for (const value of values) {
              expect(value).to.be.at.least(baseMs);
              expect(value).to.be.at.most(capMs);
            }
          },
        ),
      );
    });

    it("follows next = min(cap, random(base, previous * 3))", () => {
      // random = 1 - ε gives the top of each range: 300, 900, 2700, then the cap.
      const top = delays(decorrelatedJitterBackoff(settings(() => 0.999999999)), 5);
      expect(top.map(Math.round)).to.deep.equal([300, 900, 2700, 5000, 5000]);
      // random = 0 always gives the base.
      expect(delays(decorrelatedJitterBackoff(settings(() => 0)), 4)).to.deep.equal([100, 100, 100, 100]);
      // random = 0.5: 100 + 0.5 * (300 - 100) = 200, then 100 + 0.5 * (600 - 100) = 350.
      expect(delays(decorrelatedJitterBackoff(settings(() => 0.5)), 2)).to.deep.equal([200, 350]);
    });

    it("spreads clients that failed together", () => {
      let seed = 7;
      const random = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
      const firsts = Array.from({ length: 50 }, () => decorrelatedJitterBackoff(settings(random)).delayMs);
      expect(new Set(firsts.map(Math.round)).size).to.be.greaterThan(40);
    });

    it("is immutable: next() leaves the step unchanged and numbers retries", () => {
      const first = decorrelatedJitterBackoff(settings(() => 0.5));
      const second = first.next();
      expect(first.delayMs).to.equal(200);
      expect([first.retry, second.retry, second.next().retry]).to.deep.equal([1, 2, 3]);
      expect(Object.isFrozen(first)).to.equal(true);
    });
  });

  describe("fullJitterBackoff", () => {
    it("stays within [0, min(cap, base * 2^(n-1))]", () => {
      fc.assert(
        fc.property(fc.double({ min: 0, max: 0.9999999, noNaN: true }), fc.integer({ min: 1, max: 60 }), (r, retries) => {
          const values = delays(fullJitterBackoff(settings(() => r)), retries);
          values.forEach((value, i) => {
            expect(value).to.be.at.least(0);
            expect(value).to.be.at.most(Math.min(5_000, 100 * 2 ** i));
          });
        }),
      );
      expect(delays(fullJitterBackoff(settings(() => 0.5)), 3)).to.deep.equal([50, 100, 200]);
    });
  });

  describe("exponentialBackoff", () => {
    it("doubles from the base up to the cap, without jitter", () => {
      expect(delays(exponentialBackoff(settings(() => 0.3)), 8)).to.deep.equal([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    });

    it("never yields NaN or Infinity, even after thousands of retries or with a zero base", () => {
      expect(exponentialBackoff(settings(() => 0), 5000).delayMs).to.equal(5000);
      expect(exponentialBackoff(settings(() => 0, 0, 100), 5000).delayMs).to.equal(0);
    });
  });

  describe("constantBackoff", () => {
    it("repeats the base, capped", () => {
      expect(delays(constantBackoff(settings(() => 0.9)), 3)).to.deep.equal([100, 100, 100]);
      expect(constantBackoff(settings(() => 0, 500, 200)).delayMs).to.equal(200);
    });
  });

  describe("functionBackoff", () => {
    it("passes retry, previous delay and settings, and clamps the result to [0, cap]", () => {
      const seen: Array<[number, number | undefined]> = [];
      const fn = ({ retry, previousDelayMs, baseMs }: { retry: number; previousDelayMs: number | undefined; baseMs: number }): number => {
        seen.push([retry, previousDelayMs]);
        return retry === 3 ? -5 : retry === 4 ? 1e9 : baseMs * retry;
      };
      expect(delays(functionBackoff(fn, settings(() => 0)), 4)).to.deep.equal([100, 200, 0, 5000]);
      expect(seen).to.deep.equal([
        [1, undefined],
        [2, 100],
        [3, 200],
        [4, 0],
      ]);
    });

    it("treats NaN as the cap", () => {
      expect(functionBackoff(() => Number.NaN, settings(() => 0)).delayMs).to.equal(5000);
    });
  });

  describe("customBackoff", () => {
    it("turns a per-retry function into a builder", () => {
      const build = customBackoff(({ retry }) => retry * 10);
      expect(delays(build(settings(() => 0)), 3)).to.deep.equal([10, 20, 30]);
    });
  });

  describe("createBackoff", () => {
    it("selects each strategy by name or builder", () => {
      const s = settings(() => 0.5);
      expect(createBackoff("decorrelated", s).delayMs).to.equal(200);
      expect(createBackoff("full", s).delayMs).to.equal(50);
      expect(createBackoff("exponential", s).next().delayMs).to.equal(200);
      expect(createBackoff("constant", s).next().delayMs).to.equal(100);
      expect(createBackoff(decorrelatedJitterBackoff, s).delayMs).to.equal(200);
      expect(createBackoff(fullJitterBackoff, s).delayMs).to.equal(50);
      expect(createBackoff(exponentialBackoff, s).next().delayMs).to.equal(200);
      expect(createBackoff(constantBackoff, s).next().delayMs).to.equal(100);
      expect(createBackoff(customBackoff(() => 42), s).delayMs).to.equal(42);
    });

    it("refuses a bare per-retry function and says to wrap it in customBackoff", () => {
      const bare = (() => 42) as unknown as typeof exponentialBackoff;
      expect(() => createBackoff(bare, settings(() => 0))).to.throw(InvalidOptionsError, /customBackoff/);
    });
  });
});
