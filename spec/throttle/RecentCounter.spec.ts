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
});
