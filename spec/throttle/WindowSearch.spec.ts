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
    expect(search.refusedOther(12_000, 11_000, w, 100)).to.equal(5264);
    expect(search.done).to.equal(true);
    expect(search.refusedOther(12_100, 11_000, 5264, 100), "once").to.equal(undefined);
    expect(search.narrowing(20_000, 5264, 100), "ended: a limit back changes nothing").to.equal(false);
  });

  it("any other 429 since it began interrupts it, undoing nothing: for a request granted before the shrink, or a shrink more than two windows old", () => {
    const before = shrunkSearch();
    expect(before.search.refusedOther(10_500, 10_000, before.w, 100), "granted before the shrink").to.equal(undefined);
    expect(before.search.active).to.equal(false);
    expect(before.search.done).to.equal(false);
    const old = shrunkSearch();
    expect(old.search.refusedOther(10_011 + 2 * old.w + 1, 10_500, old.w, 100), "more than two windows later").to.equal(undefined);
    expect(old.search.active).to.equal(false);
    expect(old.search.probeWindowMs(30_000, old.w, 100, TOLERANCE), "no probe while interrupted").to.equal(undefined);
  });

  it("an interrupted search resumes only once the limit dropped and came back to the searched one, with its bounds and a new time budget", () => {
    const { search, w } = shrunkSearch();
    // A limit that dropped: the refusal of a request granted long after the shrink.
    expect(search.refusedOther(30_000, 29_000, w, 100)).to.equal(undefined);
    expect(search.probeWindowMs(31_000, w, 100, TOLERANCE), "still at the searched limit: nothing says the server is back").to.equal(undefined);
    expect(search.narrowing(32_000, w, 50), "the cut limit").to.equal(false);
    expect(search.probeWindowMs(40_000, w, 75, TOLERANCE), "climbing back").to.equal(undefined);
    expect(search.active).to.equal(false);
    // Back at 100, later than eight windows after the search began: a new budget from here.
    expect(search.narrowing(60_000, w, 100)).to.equal(true);
    expect(search.active).to.equal(true);
    expect(search.narrowing(60_000 + 8 * w, w, 100)).to.equal(true);
    expect(search.narrowing(60_001 + 8 * w, w, 100)).to.equal(false);
  });

  it("an interruption before the first probe takes the limit it was at as the searched one", () => {
    const search = new WindowSearch(4238, 0);
    expect(search.refusedOther(5000, 4000, 5264, 100)).to.equal(undefined);
    expect(search.narrowing(6000, 5264, 50)).to.equal(false);
    expect(search.probeWindowMs(20_000, 5264, 100, TOLERANCE)).to.equal(5001);
  });

  it("a second refusal while interrupted changes nothing: the drop it belongs to is already waited out", () => {
    const search = new WindowSearch(4238, 0);
    search.refusedOther(5000, 4000, 5264, 100);
    expect(search.narrowing(6000, 5264, 50)).to.equal(false);
    expect(search.refusedOther(6100, 5900, 5264, 50)).to.equal(undefined);
    expect(search.probeWindowMs(20_000, 5264, 100, TOLERANCE)).to.equal(5001);
  });

  it("takes no 429 of the burst that taught the window (granted before it began) as a reason to stop", () => {
    const search = new WindowSearch(4238, 300);
    expect(search.refusedOther(310, 250, 5264, 100)).to.equal(undefined);
    expect(search.active).to.equal(true);
    expect(search.refusedOther(400, 300, 5264, 100)).to.equal(undefined);
    expect(search.active).to.equal(false);
  });

  it("tolerates 2% of the window, two round trips, and 20 ms, whichever is most", () => {
    expect(toleranceMs(5000, 10)).to.equal(100);
    expect(toleranceMs(5000, 80)).to.equal(160);
    expect(toleranceMs(500, 1)).to.equal(20);
  });
});
