import { expect } from "chai";
import { BudgetShare } from "../../lib/throttle/BudgetShare.js";

/** A local window holding `used` requests. */
const holding = (used: number) => ({ used: () => used });

/** Successes at `at`, each answered with the share's window full (`used` = the share). */
function succeed(share: BudgetShare, at: number, count: number): boolean[] {
  return Array.from({ length: count }, () => share.succeeded(at, holding(share.share)));
}

describe("BudgetShare", () => {
  it("keeps the whole budget while no 429 comes", () => {
    const share = new BudgetShare(50, 1000);
    for (let t = 0; t < 10_000; t += 100) succeed(share, t, 5);
    expect(share.share).to.equal(50);
  });

  it("falls to what the window admitted this process at a 429 the budget did not predict, by at most half", () => {
    const share = new BudgetShare(50, 1000);
    succeed(share, 100, 12);
    // 12 admitted in the window, but a cut is at most half: 25.
    expect(share.refused(400, 300)).to.equal(true);
    expect(share.share).to.equal(25);
    // A request granted after that cut, refused: 12 admitted in the window, more than half of 25.
    expect(share.refused(700, 500)).to.equal(true);
    expect(share.share).to.equal(13);
    succeed(share, 800, 5);
    // Later, 17 of the window's successes: still a cut, by one at least.
    expect(share.refused(900, 850)).to.equal(true);
    expect(share.share).to.equal(12);
  });

  it("counts only the successes of the last window as admitted", () => {
    const share = new BudgetShare(40, 1000);
    succeed(share, 0, 30);
    // Those 30 are more than a window old: the cut is the half.
    share.refused(2000, 1999);
    expect(share.share).to.equal(20);
  });

  it("cuts once for the 429s of requests granted before the cut (one overshoot), again for a later grant's", () => {
    const share = new BudgetShare(40, 1000);
    expect(share.refused(300, 100)).to.equal(true);
    expect(share.refused(310, 120)).to.equal(false);
    expect(share.refused(320, 299)).to.equal(false);
    expect(share.share).to.equal(20);
    expect(share.refused(500, 300)).to.equal(true);
    expect(share.share).to.equal(10);
  });

  it("never falls below one request per window", () => {
    const share = new BudgetShare(3, 1000);
    for (let i = 0; i < 5; i += 1) share.refused(1000 * i + 1, 1000 * i);
    expect(share.share).to.equal(1);
    expect(share.refused(9000, 8999)).to.equal(false);
  });

  it("grows back after each full window spent without a 429, by steps that double, up to the budget", () => {
    const share = new BudgetShare(30, 1000);
    share.refused(0, 0);
    expect(share.share).to.equal(15);
    // Within the window of the cut: no growth.
    expect(succeed(share, 999, 1)).to.deep.equal([false]);
    const grown: number[] = [];
    for (let t = 1000; t <= 6000; t += 1000) {
      succeed(share, t, 1);
      grown.push(share.share);
    }
    expect(grown).to.deep.equal([16, 18, 22, 30, 30, 30]);
  });

  it("grows only a share in use: an idle process learns nothing about room by waiting", () => {
    const share = new BudgetShare(30, 1000);
    share.refused(0, 0);
    expect(share.succeeded(5000, holding(3))).to.equal(false);
    expect(share.share).to.equal(15);
    expect(share.succeeded(5001, holding(15))).to.equal(true);
    expect(share.share).to.equal(16);
  });

  it("starts the steps over at one after a cut", () => {
    const share = new BudgetShare(100, 1000);
    share.refused(0, 0);
    succeed(share, 1000, 1);
    succeed(share, 2000, 1);
    expect(share.share).to.equal(53);
    share.refused(2500, 2400);
    const after = share.share;
    succeed(share, 3500, 1);
    expect(share.share).to.equal(after + 1);
  });

  it("starts over at the whole budget when the budget is configured anew, and not when it is the same", () => {
    const share = new BudgetShare(30, 1000);
    share.refused(0, 0);
    share.resize(30, 1000);
    expect(share.share).to.equal(15);
    share.resize(60, 1000);
    expect(share.share).to.equal(60);
    expect(share.limit).to.equal(60);
  });
});
