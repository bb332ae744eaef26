import { expect } from "chai";
import { EarlyCooldownEnd } from "../../lib/throttle/EarlyCooldownEnd.js";

describe("EarlyCooldownEnd", () => {
  it("ends the cooldown at the first whole second after the anchor that the Retry-After's rounding leaves possible", () => {
    const early = new EarlyCooldownEnd();
    // Anchor counted by 10; the first 429 at 300 with Retry-After 1 s: the slot frees in (300, 1300].
    expect(early.start(300, 10, 1000)).to.equal(710);
    expect(early.gating, "one request asks first").to.equal(true);
    // Retry-After 3 s at 2300 after an anchor counted by 10: the wait ends in (4300, 5300]; 5010 is the first candidate.
    expect(new EarlyCooldownEnd().start(2300, 10, 3000)).to.equal(2710);
  });

  it("keeps the Retry-After when no whole second after the anchor falls clearly before it", () => {
    const early = new EarlyCooldownEnd();
    // Anchor counted by 10, 429 at 15: the candidate 1010 is only 5 ms before 1015.
    expect(early.start(15, 10, 1000)).to.equal(1000);
    expect(early.gating).to.equal(false);
    expect(early.asking(1012)).to.equal(false);
  });

  it("holds the burst's later 429s to the early end, unless one's own Retry-After rules it out", () => {
    const early = new EarlyCooldownEnd();
    early.start(300, 10, 1000); // ends at 1010
    // Granted in the burst (by 300), refused at 320 with 1 s: its wait ends in (320, 1320], 1010 still possible.
    expect(early.cooldownFor(320, 290, 1000, 1000)).to.equal(690);
    expect(early.gating).to.equal(true);
    // One answered at 1050 (a late answer) with 1 s: the server refused it at some moment after its
    // grant at 295, and its wait may have ended since: 1010 is still possible, nothing more to hold.
    expect(early.cooldownFor(1050, 295, 1000, 1000)).to.equal(0);
    expect(early.gating, "the plan stands").to.equal(true);
    // One with 2 s, granted at 295: its wait surely lasts past 295 + 1 s > 1010: the premise failed.
    expect(early.cooldownFor(1060, 295, 2000, 1000)).to.equal(2000);
    expect(early.gating, "plan dropped").to.equal(false);
  });

  it("takes the asking request's refusal as 'not yet': its cooldown runs to what the burst's 429s vouched for, never beyond", () => {
    const early = new EarlyCooldownEnd();
    early.start(300, 10, 1000); // ends at 1010, surely by 1300
    early.cooldownFor(340, 299, 1000, 1000); // a later 429 of the burst: surely by 1340
    expect(early.asking(1010)).to.equal(true);
    // Refused at 1015 with Retry-After 1 s: held until 1340, not 2015.
    expect(early.cooldownFor(1015, 1010, 1000, 1000)).to.equal(325);
    expect(early.gating, "still one at a time").to.equal(true);
    // A request granted before the early end is no asking one; nor is one granted after the Retry-After passed.
    expect(early.asking(900)).to.equal(false);
    expect(early.asking(1340)).to.equal(false);
  });

  it("ends the plan at the first success of a request sent after the early end, not at a late answer of the burst", () => {
    const early = new EarlyCooldownEnd();
    early.start(300, 10, 1000);
    early.answered(280);
    expect(early.gating, "a late success of the burst").to.equal(true);
    early.answered(1010);
    expect(early.gating).to.equal(false);
    expect(early.asking(1011)).to.equal(false);
    expect(early.cooldownFor(1100, 1050, 1000, 1000), "an ordinary 429 afterwards").to.equal(1000);
  });

  it("ends the plan at a 429 of a request sent after the Retry-After had passed (an ordinary refusal)", () => {
    const early = new EarlyCooldownEnd();
    early.start(300, 10, 1000); // surely by 1300
    expect(early.cooldownFor(1400, 1305, 1000, 1000)).to.equal(1000);
    expect(early.gating).to.equal(false);
  });
});
