import { expect } from "chai";
import { runInNewContext } from "node:vm";
import { isPlainObject } from "../../lib/entity/isPlainObject.js";

describe("entity/isPlainObject", () => {
  it("accepts literals, JSON output, null-prototype and other-realm objects", () => {
    expect(isPlainObject({})).to.equal(true);
    expect(isPlainObject(JSON.parse('{"a":1}'))).to.equal(true);
    expect(isPlainObject(Object.create(null))).to.equal(true);
    expect(isPlainObject(runInNewContext("({ a: 1 })"))).to.equal(true);
  });

  it("rejects everything else", () => {
    class A {}
    for (const value of [null, undefined, 1, "x", [], new Map(), new Date(), new A(), Object.create({}), () => 1, new Number(1), /x/]) {
      expect(isPlainObject(value), String(value)).to.equal(false);
    }
    const tagged = { [Symbol.toStringTag]: "Fake" };
    expect(isPlainObject(tagged)).to.equal(false);
  });
});
