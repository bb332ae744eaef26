import { expect } from "chai";
import { suggestName } from "../../lib/chain/suggestName.js";

describe("chain/suggestName", () => {
  const names = ["displayName", "compliantDeviceCount", "compliantUserCount", "errorDeviceCount", "errorUserCount"];

  it("prefers a case-insensitive match", () => {
    expect(suggestName("DISPLAYNAME", names)).to.equal("displayName");
  });

  it("finds close misspellings", () => {
    expect(suggestName("complaintDeviceCount", names)).to.equal("compliantDeviceCount");
    expect(suggestName("errorUserCnt", names)).to.equal("errorUserCount");
  });

  it("returns undefined when nothing is close", () => {
    expect(suggestName("name", names)).to.equal(undefined);
    expect(suggestName("__proto__", names)).to.equal(undefined);
    expect(suggestName("", names)).to.equal(undefined);
  });

  it("breaks ties in favour of the earlier candidate", () => {
    expect(suggestName("ab", ["ax", "xb"])).to.equal("ax");
  });
});
