import { expect } from "chai";
import { LocalWindow } from "../../lib/throttle/LocalWindow.js";

describe("LocalWindow", () => {
  it("holds a request's place from its grant until windowMs after its answer", () => {
    const w = new LocalWindow("b", 2, 1000);
    w.granted();
    w.granted();
    expect(w.waitMs(0)).to.equal(Number.POSITIVE_INFINITY);
    w.settle(300); // answered at 300: its place frees at 1300, not at grant + 1000
    expect(w.waitMs(300)).to.equal(1000);
    w.settle(500);
    expect(w.waitMs(600)).to.equal(700);
    expect(w.used(600)).to.equal(2);
    expect(w.waitMs(1300)).to.equal(0);
    expect(w.used(1300)).to.equal(1);
  });

  it("tells how long until several requests fit at once (a $batch's room)", () => {
    const w = new LocalWindow("b", 4, 1000);
    for (const t of [0, 100, 200]) {
      w.granted();
      w.settle(t);
    }
    expect(w.waitForMs(250, 1)).to.equal(0);
    expect(w.waitForMs(250, 2)).to.equal(750); // the answer at 0 must leave the window first
    expect(w.waitForMs(250, 3)).to.equal(850);
    w.granted();
    expect(w.waitForMs(250, 1)).to.equal(750);
    expect(w.waitForMs(250, 4)).to.equal(Number.POSITIVE_INFINITY); // the one in flight holds a place
    expect(w.waitForMs(250, 5)).to.equal(Number.POSITIVE_INFINITY);
  });

  it("resizes keeping recent answers", () => {
    const w = new LocalWindow("a", 3, 1000);
    for (const t of [0, 10, 20]) {
      w.granted();
      w.settle(t);
    }
    w.resize(5, 1000);
    expect(w.limit).to.equal(5);
    expect(w.waitMs(30)).to.equal(0);
    w.resize(2, 1000);
    expect(w.waitMs(30)).to.equal(1000 + 10 - 30);
  });
  it("tells when one request could go ahead of the window as if it were shorter: only while full of answers and nothing is in flight", () => {
    const w = new LocalWindow("a", 3, 1000);
    expect(w.earlyWait(0, 800), "room: nothing to go ahead of").to.equal(undefined);
    for (const t of [100, 150, 200]) {
      w.granted();
      w.settle(t);
    }
    expect(w.earlyWait(300, 800)).to.deep.equal({ waitMs: 600, blockedBy: 100 });
    expect(w.earlyWait(950, 800)).to.deep.equal({ waitMs: 0, blockedBy: 100 });
    expect(w.earlyWait(1100, 800), "the oldest left the window: room").to.equal(undefined);
    w.granted();
    expect(w.earlyWait(1100, 800), "in flight").to.equal(undefined);
  });
  it("sends nothing ahead of a window that holds a refused request: the server may not have counted it, and the window may have room", () => {
    const w = new LocalWindow("a", 3, 1000);
    for (const [t, refused] of [[100, false], [150, true], [200, false]] as const) {
      w.granted();
      w.settle(t, refused);
    }
    expect(w.earlyWait(300, 800), "a refusal answered at 150 is in the window").to.equal(undefined);
    expect(w.earlyWait(1149, 800)).to.equal(undefined);
    // Once it left, the window holds only what was admitted.
    for (const t of [1160, 1170]) {
      w.granted();
      w.settle(t);
    }
    expect(w.earlyWait(1180, 800)).to.deep.equal({ waitMs: 0, blockedBy: 200 });
  });
});
