import { expect } from "chai";
import { describeValue } from "../../lib/chain/describeValue.js";

describe("chain/describeValue", () => {
  it("describes each kind of value briefly", () => {
    expect(describeValue(-0)).to.equal("-0");
    expect(describeValue(Symbol("s"))).to.equal("symbol");
    expect(describeValue(undefined)).to.equal("undefined");
    expect(describeValue(() => 1)).to.equal("function");
    expect(describeValue("x".repeat(100))).to.equal(`string "${"x".repeat(40)}…"`);
  });
});
