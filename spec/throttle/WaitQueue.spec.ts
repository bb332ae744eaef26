import { expect } from "chai";
import { WaitQueue } from "../../lib/throttle/WaitQueue.js";

describe("WaitQueue", () => {
  it("is FIFO", () => {
    const queue = new WaitQueue<number>();
    for (const n of [1, 2, 3]) queue.push(n);
    expect(queue.peek()).to.equal(1);
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift()]).to.deep.equal([1, 2, 3, undefined]);
    expect(queue.size).to.equal(0);
  });

  it("removes any node in place, once", () => {
    const queue = new WaitQueue<string>();
    const a = queue.push("a");
    const b = queue.push("b");
    const c = queue.push("c");
    queue.remove(b);
    queue.remove(b);
    expect(queue.size).to.equal(2);
    queue.remove(a);
    expect(queue.peek()).to.equal("c");
    queue.remove(c);
    expect(queue.size).to.equal(0);
    expect(queue.shift()).to.equal(undefined);
    queue.push("d");
    expect(queue.shift()).to.equal("d");
  });
});
