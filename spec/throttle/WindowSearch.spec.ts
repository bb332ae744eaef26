import { expect } from "chai";
import { WindowSearch, toleranceMs } from "../../lib/throttle/WindowSearch.js";

describe("WindowSearch", () => {
  const TOLERANCE = 100;

  it("tries the longest whole second within the bounds first, 1 ms past it", () => {
    const search = new WindowSearch(4238, 0);
    expect(search.probeWindowMs(10_000, 5264, 100, TOLERANCE)).to.equal(5001);
  });

  it("an answered probe bounds the window by its answer − the oldest request's answer + the longest round trip", () => {
    const search = new WindowSearch(4238, 0);
    search.probeWindowMs(10_000, 5264, 100, TOLERANCE);
    search.sent(10_001, 5000);
    expect(search.probeWindowMs(10_002, 5264, 100, TOLERANCE), "one probe at a time").to.equal(undefined);
    expect(search.answered(10_011, 5264, 20)).to.equal(10_011 - 5000 + 20);
  });

  it("ends within the tolerance above a whole second the lower bound leaves possible: refusing the next shorter one would cost a 429 for nothing", () => {
    const { search, w } = shrunkSearch();
    expect(search.probeWindowMs(10_020, w, 100, TOLERANCE)).to.equal(undefined);
    expect(search.done).to.equal(true);
    expect(search.narrowing(10_020, w, 100)).to.equal(false);
  });

  it("goes down whole seconds while the lower bound allows them, and a refusal raises the lower bound to the probe's lead", () => {
    // A window measured by the first success after a Retry-After that understated the wait: 6.5 s, known from above only.
    const search = new WindowSearch(3250, 0);
    expect(search.probeWindowMs(20_000, 6500, 30, TOLERANCE)).to.equal(6001);
    search.sent(20_001, 14_000);
    const first = search.answered(20_010, 6500, 5) as number;
    expect(first).to.equal(6015);
    expect(search.probeWindowMs(20_100, first, 30, TOLERANCE)).to.equal(5001);
    search.sent(30_001, 25_000);
    const second = search.answered(30_008, first, 5) as number;
    expect(second).to.equal(5013);
    expect(search.probeWindowMs(30_100, second, 30, TOLERANCE)).to.equal(4001);
    search.sent(40_001, 36_000);
    search.refused(second);
    // 5 s is the only whole second left within (4001, 5013]: the search ends there.
    expect(search.probeWindowMs(40_100, second, 30, TOLERANCE)).to.equal(undefined);
    expect(search.done).to.equal(true);
  });

  it("halves the bounds when no whole second lies within them", () => {
    const search = new WindowSearch(4100, 0);
    expect(search.probeWindowMs(10_000, 4900, 50, TOLERANCE)).to.equal(4500);
    search.sent(10_000, 5500);
    search.refused(4900);
    expect(search.probeWindowMs(10_100, 4900, 50, TOLERANCE)).to.equal(4700);
  });

  it("never lets a refusal raise the lower bound past the window, and ends once the bounds are within the tolerance", () => {
    const search = new WindowSearch(4100, 0);
    search.probeWindowMs(10_000, 4900, 50, TOLERANCE);
    search.sent(10_000, 5000);
    search.refused(4900);
    expect(search.probeWindowMs(10_100, 4900, 50, TOLERANCE)).to.equal(undefined);
    expect(search.done).to.equal(true);
  });

  it("ends when an answer contradicts the lower bound (the limit is not all the server holds), shrinking nothing", () => {
    const search = new WindowSearch(4500, 0);
    search.probeWindowMs(10_000, 5300, 100, TOLERANCE);
    search.sent(10_000, 6000);
    expect(search.answered(10_005, 5300, 5)).to.equal(undefined);
    expect(search.done).to.equal(true);
  });

  it("pauses while the limit is away from the one it searched at, and resumes with its time budget anew once it is back", () => {
    const search = new WindowSearch(4238, 0);
    expect(search.probeWindowMs(10_000, 5264, 100, TOLERANCE)).to.equal(5001);
    search.sent(10_001, 5000);
    search.lost();
    // A limit that dropped: rate probing climbs it back meanwhile.
    expect(search.probeWindowMs(10_100, 5264, 50, TOLERANCE)).to.equal(undefined);
    expect(search.narrowing(40_000, 5264, 50)).to.equal(false);
    expect(search.done).to.equal(false);
    // Back at 100 past the first budget of eight windows (42 s): a new one from here.
    expect(search.probeWindowMs(50_000, 5264, 100, TOLERANCE)).to.equal(5001);
    expect(search.narrowing(50_000 + 8 * 5264, 5264, 100)).to.equal(true);
    expect(search.narrowing(50_001 + 8 * 5264, 5264, 100)).to.equal(false);
  });

  it("ends when an answer shortens nothing: the round trip is too coarse to narrow the window further", () => {
    const search = new WindowSearch(4238, 0);
    search.probeWindowMs(10_000, 5264, 100, TOLERANCE);
    search.sent(10_001, 5000);
    expect(search.answered(10_200, 5264, 100)).to.equal(undefined);
    expect(search.done).to.equal(true);
  });

  it("a lost probe (a fault, no answer) frees the next one and bounds nothing", () => {
    const search = new WindowSearch(4238, 0);
    search.probeWindowMs(10_000, 5264, 100, TOLERANCE);
    search.sent(10_001, 5000);
    search.lost();
    expect(search.probeWindowMs(10_100, 5264, 100, TOLERANCE)).to.equal(5001);
  });

  it("gives up eight windows after it started", () => {
    const search = new WindowSearch(4238, 1000);
    expect(search.narrowing(1000 + 8 * 5264, 5264, 100)).to.equal(true);
    expect(search.narrowing(1001 + 8 * 5264, 5264, 100)).to.equal(false);
    expect(search.probeWindowMs(1001 + 8 * 5264, 5264, 100, TOLERANCE)).to.equal(undefined);
  });

  /** A search whose probe at 5.001 s was answered at 10 011: shrunk from 5264 to 5031 ms. */
  function shrunkSearch(): { search: WindowSearch; w: number } {
    const search = new WindowSearch(4238, 0);
    expect(search.probeWindowMs(10_000, 5264, 100, TOLERANCE)).to.equal(5001);
    search.sent(10_001, 5000);
    const w = search.answered(10_011, 5264, 20) as number;
    expect(w).to.equal(5031);
    return { search, w };
  }

  it("undoes its shrink for a 429 of a request granted at the shrunk window within two windows, once, and ends", () => {
    const { search, w } = shrunkSearch();
    expect(search.refusedOther(12_000, 11_000, w)).to.equal(5264);
    expect(search.done).to.equal(true);
    expect(search.refusedOther(12_100, 11_000, 5264), "once").to.equal(undefined);
  });

  it("any other 429 since it began ends it; a request granted before the shrink, or a shrink more than two windows old, undoes nothing", () => {
    const before = shrunkSearch();
    expect(before.search.refusedOther(10_500, 10_000, before.w), "granted before the shrink").to.equal(undefined);
    expect(before.search.done).to.equal(true);
    const old = shrunkSearch();
    expect(old.search.refusedOther(10_011 + 2 * old.w + 1, 10_500, old.w), "more than two windows later").to.equal(undefined);
    expect(old.search.done).to.equal(true);
  });

  it("takes no 429 of the burst that taught the window (granted before it began) as a reason to end", () => {
    const search = new WindowSearch(4238, 300);
    expect(search.refusedOther(310, 250, 5264)).to.equal(undefined);
    expect(search.done).to.equal(false);
    expect(search.refusedOther(400, 300, 5264)).to.equal(undefined);
    expect(search.done).to.equal(true);
  });

  it("tolerates 2% of the window, two round trips, and 20 ms, whichever is most", () => {
    expect(toleranceMs(5000, 10)).to.equal(100);
    expect(toleranceMs(5000, 80)).to.equal(160);
    expect(toleranceMs(500, 1)).to.equal(20);
  });
});
