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

  it("removes every item a test picks, in order, keeping the rest linked", () => {
    const queue = new WaitQueue<number>();
    for (const n of [1, 2, 3, 4, 5, 6]) queue.push(n);
    expect(queue.removeWhere((n) => n % 2 === 0)).to.deep.equal([2, 4, 6]);
    expect(queue.size).to.equal(3);
    expect(queue.removeWhere(() => false)).to.deep.equal([]);
    queue.push(7);
    expect([queue.shift(), queue.shift(), queue.shift(), queue.shift(), queue.shift()]).to.deep.equal([1, 3, 5, 7, undefined]);
    expect(queue.removeWhere(() => true)).to.deep.equal([]);
  });
});
