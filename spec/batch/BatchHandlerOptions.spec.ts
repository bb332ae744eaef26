import { expect } from "chai";
import { BatchHandler } from "../../lib/batch/BatchHandler.js";
import { isSummaryPatch } from "../../lib/batch/BatchHandlerOptions.js";
import { createGraphClient } from "../../lib/client/createGraphClient.js";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";

const authProvider = { getAccessToken: async () => "token" };

describe("batch/BatchHandlerOptions", () => {
  it("lists every bad option, in the handler and as createGraphClient's batch option", () => {
    expect(() => new BatchHandler({ maxRetries: -1, baseDelayMs: Number.NaN })).to.throw(InvalidOptionsError, /maxRetries[\s\S]*baseDelayMs/);
    expect(() => createGraphClient({ authProvider, batch: { maxRetrys: 2 } as never })).to.throw(InvalidOptionsError, /batch\.maxRetrys: is not an option; did you mean `maxRetries`\?/);
    expect(() => new BatchHandler({ onRound: 1, onGiveUp: "x", logger: {} } as never)).to.throw(InvalidOptionsError, /onRound[\s\S]*onGiveUp[\s\S]*logger/);
  });

  it("vouches by default only for PATCHes of softwareUpdateStatusSummary, with or without the version in the URL", () => {
    expect(isSummaryPatch({ id: "1", method: "patch", url: "/deviceManagement/softwareUpdateStatusSummary" })).to.equal(true);
    expect(isSummaryPatch({ id: "1", method: "PATCH", url: "/beta/deviceManagement/softwareUpdateStatusSummary" })).to.equal(true);
    expect(isSummaryPatch({ id: "1", method: "POST", url: "/deviceManagement/softwareUpdateStatusSummary" })).to.equal(false);
    expect(isSummaryPatch({ id: "1", method: "PATCH", url: "/deviceManagement/deviceConfigurations/1" })).to.equal(false);
  });
});
