import { expect } from "chai";
import { RecentCounter } from "../../lib/throttle/RecentCounter.js";

describe("RecentCounter", () => {
  it("counts events in the recent span to bucket precision and forgets old ones", () => {
    const counter = new RecentCounter(100, 10);
    for (let t = 0; t < 1000; t += 20) counter.add(t);
    expect(counter.count(999, 1000)).to.equal(50);
    expect(counter.count(999, 500)).to.equal(25);
    expect(counter.count(2500, 1000)).to.equal(0);
  });

  it("reads a steady flow's rate per second without reading low in a partial bucket", () => {
    const counter = new RecentCounter(100, 100);
    for (let t = 0; t <= 5050; t += 20) counter.add(t);
    expect(counter.ratePerSecond(5050, 1000)).to.be.within(49, 51);
  });

  it("counts within a span in whole buckets only, never past it", () => {
    const counter = new RecentCounter(400, 10);
    for (let t = 0; t < 2000; t += 10) counter.add(t);
    // At 1999 the current bucket began at 1600: a 1000 ms span holds it and one more (1200 ms to
    // 1999), where count() rounds up to three buckets (800 ms to 1999, longer than the span).
    expect(counter.countWithin(1999, 1000)).to.equal(80);
    expect(counter.count(1999, 1000)).to.equal(120);
    // A span shorter than a bucket still counts the current one.
    expect(counter.countWithin(1999, 100)).to.equal(40);
  });

  it("counts every bucket a span touches, so no event within the span is missed", () => {
    const counter = new RecentCounter(40, 50);
    for (let t = 0; t < 200; t += 10) counter.add(t);
    // (69, 130] touches the buckets from 40 to 159: 12 events, where count() rounds 61 ms to two buckets (80 to 159).
    expect(counter.countCovering(130, 61)).to.equal(12);
    expect(counter.count(130, 61)).to.equal(8);
    // A span back to a bucket's start takes that bucket, not the one before it.
    expect(counter.countCovering(130, 90)).to.equal(12);
    expect(counter.countCovering(130, 131)).to.equal(16);
    expect(counter.countCovering(130, 1)).to.equal(4);
    expect(counter.countCovering(199, 10_000), "at most the whole memory").to.equal(20);
  });

  it("keeps its events when resized to other buckets, each moved to the start of its old bucket", () => {
    const counter = new RecentCounter(100, 100);
    for (let t = 0; t < 5000; t += 20) counter.add(t);
    const coarser = counter.resized(400, 100);
    expect(coarser.count(4999, 10_000), "every event is kept").to.equal(250);
    const finer = counter.resized(30, 100);
    // A finer counter spans 3 s: the events of the last 3 s are kept, none of them moved later.
    expect(finer.count(4999, 3000)).to.be.within(145, 150);
    for (const span of [500, 1000, 2000]) expect(finer.count(4999, span), `last ${span} ms`).to.be.at.most(counter.count(4999, span));
    // The original goes on counting on its own.
    counter.add(5000);
    expect(counter.count(5000, 10_000)).to.equal(251);
    expect(coarser.count(5000, 10_000)).to.equal(250);
  });
});
