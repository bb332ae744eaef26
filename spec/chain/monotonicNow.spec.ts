import { expect } from "chai";
import sinon from "sinon";
import { monotonicNow } from "../../lib/chain/monotonicNow.js";

describe("monotonicNow", () => {
  afterEach(() => sinon.restore());

  it("reads as epoch ms, and moves on when the wall clock steps (NTP), not with it", async () => {
    expect(Math.abs(monotonicNow() - Date.now())).to.be.below(60_000);
    const before = monotonicNow();
    const real = Date.now.bind(Date);
    sinon.stub(Date, "now").callsFake(() => real() - 3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const after = monotonicNow();
    expect(after - before).to.be.within(15, 1000);
  });
});
