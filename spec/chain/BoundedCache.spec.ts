import { expect } from "chai";
import { BoundedCache } from "../../lib/chain/BoundedCache.js";

describe("chain/BoundedCache", () => {
  it("works a key out once, an undefined value too", () => {
    const asked: string[] = [];
    const cache = new BoundedCache(4, (key) => {
      asked.push(key);
      return key.startsWith("x") ? undefined : key.length;
    });
    expect(cache.get("abc")).to.equal(3);
    expect(cache.get("abc")).to.equal(3);
    expect(cache.get("xyz")).to.equal(undefined);
    expect(cache.get("xyz")).to.equal(undefined);
    expect(asked).to.deep.equal(["abc", "xyz"]);
  });

  it("keeps at most maxEntries, dropping the oldest first", () => {
    const asked: string[] = [];
    const cache = new BoundedCache(2, (key) => {
      asked.push(key);
      return key;
    });
    cache.get("a");
    cache.get("b");
    cache.get("c");
    expect(cache.size).to.equal(2);
    cache.get("b");
    cache.get("a");
    expect(asked, "b was kept, a was dropped for c").to.deep.equal(["a", "b", "c", "a"]);
  });
});
