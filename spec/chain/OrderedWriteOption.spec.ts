import { expect } from "chai";
import sinon from "sinon";
import { OrderedWriteOption } from "../../lib/chain/OrderedWriteOption.js";

describe("chain/OrderedWriteOption", () => {
  it("settles once every tracked attempt has settled, fulfilled or rejected", async () => {
    const order = new OrderedWriteOption();
    let resolveFirst!: () => void;
    let rejectSecond!: (error: Error) => void;
    order.track(new Promise<void>((resolve) => (resolveFirst = resolve)));
    order.track(new Promise<void>((_resolve, reject) => (rejectSecond = reject)));
    expect(order.pending).to.equal(2);
    let settled = false;
    void order.settled().then(() => (settled = true));
    resolveFirst();
    await new Promise((resolve) => setImmediate(resolve));
    expect([settled, order.pending]).to.deep.equal([false, 1]);
    rejectSecond(new Error("transport failed"));
    await new Promise((resolve) => setImmediate(resolve));
    expect([settled, order.pending]).to.deep.equal([true, 0]);
  });

  it("settles at once with nothing tracked", async () => {
    await new OrderedWriteOption().settled();
  });

  it("counts down to its deadline, and has none until one is set", () => {
    const clock = sinon.useFakeTimers({ toFake: ["performance"] });
    try {
      const order = new OrderedWriteOption();
      expect(order.remainingMs()).to.equal(Infinity);
      order.setDeadline(performance.now() + 500);
      clock.tick(200);
      expect(order.remainingMs()).to.equal(300);
      clock.tick(400);
      expect(order.remainingMs()).to.equal(0);
    } finally {
      clock.restore();
    }
  });
});
