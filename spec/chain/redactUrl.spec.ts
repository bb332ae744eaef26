import { expect } from "chai";
import { redactUrl } from "../../lib/chain/redactUrl.js";

describe("redactUrl", () => {
  it("keeps OData options and redacts every other query value", () => {
    expect(redactUrl("https://graph.microsoft.com/v1.0/deviceManagement/softwareUpdateStatusSummary?$select=id&sig=SECRET&code=abc")).to.equal(
      "https://graph.microsoft.com/v1.0/deviceManagement/softwareUpdateStatusSummary?%24select=id&sig=REDACTED&code=REDACTED",
    );
  });

  it("drops credentials and fragments", () => {
    const out = redactUrl("https://user:pass@host/path#token=abc");
    expect(out).to.equal("https://host/path");
  });

  it("drops the whole query of a relative URL", () => {
    expect(redactUrl("/me?token=abc#x")).to.equal("/me");
  });
});
