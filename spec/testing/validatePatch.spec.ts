import { expect } from "chai";
import { validatePatch } from "../../lib/testing/validatePatch.js";

const problem = (body: unknown): string => {
  const result = validatePatch(body);
  if (result.ok) throw new Error("expected a problem");
  return result.message;
};

describe("testing/validatePatch", () => {
  it("accepts every writable property and drops @odata.type", () => {
    const result = validatePatch({
      "@odata.type": "#microsoft.graph.softwareUpdateStatusSummary",
      displayName: "x",
      compliantDeviceCount: 0,
      notApplicableUserCount: 2147483647,
    });
    expect(result).to.deep.equal({ ok: true, patch: { displayName: "x", compliantDeviceCount: 0, notApplicableUserCount: 2147483647 } });
    expect(validatePatch({ displayName: null })).to.deep.equal({ ok: true, patch: { displayName: null } });
    expect(validatePatch({})).to.deep.equal({ ok: true, patch: {} });
  });

  it("rejects bodies that are not JSON objects", () => {
    for (const body of [null, [], "x", 5]) expect(problem(body)).to.include("must be a JSON object");
  });

  it("rejects id as read-only and unknown properties, suggesting near misses", () => {
    expect(problem({ id: "x" })).to.include("'id' is read-only");
    expect(problem({ foo: 1 })).to.include("'foo' does not exist").and.not.include("Did you mean");
    expect(problem({ compliantdevicecount: 1 })).to.include("Did you mean 'compliantDeviceCount'?");
  });

  it("rejects counters that are not integers in 0..2147483647, strings included", () => {
    for (const value of ["5", 1.5, -1, 2147483648, null, true]) {
      expect(problem({ errorUserCount: value }), String(value)).to.include("'errorUserCount' must be an integer in 0..2147483647");
    }
  });

  it("rejects a displayName that is not a string or null, and a wrong @odata.type", () => {
    expect(problem({ displayName: 5 })).to.include("'displayName' must be a string or null");
    expect(problem({ "@odata.type": "#microsoft.graph.user" })).to.include("'@odata.type' must be '#microsoft.graph.softwareUpdateStatusSummary'");
  });

  it("names every problem, not only the first", () => {
    const message = problem({ id: "x", compliantDeviceCount: -1, displayName: 1 });
    expect(message).to.include("'id'").and.include("'compliantDeviceCount'").and.include("'displayName'");
  });
});
