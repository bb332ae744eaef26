import { expect } from "chai";
import { suggestPropertyName } from "../../lib/entity/suggestPropertyName.js";

describe("entity/suggestPropertyName", () => {
  const names = ["displayName", "compliantDeviceCount", "compliantUserCount", "errorDeviceCount", "errorUserCount"];

  it("prefers a case-insensitive match", () => {
    expect(suggestPropertyName("DISPLAYNAME", names)).to.equal("displayName");
  });

  it("finds close misspellings", () => {
    expect(suggestPropertyName("complaintDeviceCount", names)).to.equal("compliantDeviceCount");
    expect(suggestPropertyName("errorUserCnt", names)).to.equal("errorUserCount");
  });

  it("returns undefined when nothing is close", () => {
    expect(suggestPropertyName("name", names)).to.equal(undefined);
    expect(suggestPropertyName("__proto__", names)).to.equal(undefined);
    expect(suggestPropertyName("", names)).to.equal(undefined);
  });

  it("breaks ties in favour of the earlier candidate", () => {
    expect(suggestPropertyName("ab", ["ax", "xb"])).to.equal("ax");
  });
});
