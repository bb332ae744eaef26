import { expect } from "chai";
import { GraphClientError } from "@microsoft/microsoft-graph-client";
import { ValidationError } from "../../lib/errors/ValidationError.js";
import {
  INT32_MAX,
  SOFTWARE_UPDATE_STATUS_SUMMARY_COUNTERS,
  SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE,
  SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES,
} from "../../lib/entity/softwareUpdateStatusSummaryMetadata.js";
import { validateSoftwareUpdateStatusSummaryPatch as validate } from "../../lib/entity/validateSoftwareUpdateStatusSummaryPatch.js";

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  try {
    validate(input);
  } catch (error) {
    expect(error).to.be.instanceOf(ValidationError);
    return (error as ValidationError).issues.map((issue) => ({ ...issue }));
  }
  throw new Error("expected a ValidationError");
}

describe("entity/validateSoftwareUpdateStatusSummaryPatch", () => {
  it("knows the 16 documented properties and the @odata.type", () => {
    expect(SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES).to.have.length(16);
    expect(SOFTWARE_UPDATE_STATUS_SUMMARY_COUNTERS).to.have.length(14);
    expect(SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES[0]).to.equal("id");
    expect(SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE).to.equal("#microsoft.graph.softwareUpdateStatusSummary");
  });

  describe("valid patches", () => {
    it("accepts the documented example and returns a fresh copy", () => {
      const input = {
        displayName: "Display Name value",
        compliantDeviceCount: 4,
        nonCompliantDeviceCount: 7,
        remediatedDeviceCount: 5,
        errorDeviceCount: 0,
        unknownDeviceCount: 2,
        conflictDeviceCount: 3,
        notApplicableDeviceCount: 8,
        compliantUserCount: 2,
        nonCompliantUserCount: 5,
        remediatedUserCount: 3,
        errorUserCount: 14,
        unknownUserCount: 0,
        conflictUserCount: 1,
        notApplicableUserCount: 6,
      };
      const result = validate(input);
      expect(result).to.deep.equal(input);
      expect(result).to.not.equal(input);
      expect(Object.getPrototypeOf(result)).to.equal(Object.prototype);
      (result as Record<string, unknown>).displayName = "changed";
      expect(input.displayName).to.equal("Display Name value");
    });

    it("accepts the Int32 bounds, a null displayName and an empty-string displayName", () => {
      expect(validate({ compliantDeviceCount: 0, errorUserCount: INT32_MAX })).to.deep.equal({
        compliantDeviceCount: 0,
        errorUserCount: INT32_MAX,
      });
      expect(validate({ displayName: null })).to.deep.equal({ displayName: null });
      expect(validate({ displayName: "" })).to.deep.equal({ displayName: "" });
    });

    it("accepts Object.create(null) and drops a correct @odata.type", () => {
      const input = Object.create(null) as Record<string, unknown>;
      input.compliantDeviceCount = 1;
      input["@odata.type"] = SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE;
      expect(validate(input)).to.deep.equal({ compliantDeviceCount: 1 });
    });

    it("treats a known property set to undefined as absent", () => {
      const result = validate({ displayName: undefined, compliantDeviceCount: 3 });
      expect(result).to.deep.equal({ compliantDeviceCount: 3 });
      expect(Object.keys(result)).to.deep.equal(["compliantDeviceCount"]);
    });
  });

  describe("the root", () => {
    for (const [label, input, got] of [
      ["null", null, "null"],
      ["undefined", undefined, "undefined"],
      ["an array", [1], "array"],
      ["a string", "{}", 'string "{}"'],
      ["a number", 4, "4"],
      ["a Map", new Map([["displayName", "x"]]), "Map"],
      ["a Date", new Date(0), "Date"],
      ["a class instance", new (class Summary { displayName = "x"; })(), "an instance of Summary"],
      ["a function", () => ({}), "function"],
    ] as const) {
      it(`rejects ${label}`, () => {
        expect(issuesOf(input)).to.deep.equal([{ path: "(root)", message: `must be a plain object, got ${got}` }]);
      });
    }

    it("rejects an empty object, one with only undefined values, and one with only @odata.type", () => {
      for (const input of [{}, { displayName: undefined }, { "@odata.type": SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE }]) {
        const issues = issuesOf(input);
        expect(issues).to.have.length(1);
        expect(issues[0]?.path).to.equal("(root)");
        expect(issues[0]?.message).to.match(/^is empty; set at least one of displayName, compliantDeviceCount/);
      }
    });

    it("throws a GraphClientError whose message lists every issue", () => {
      try {
        validate({ id: "x", compliantDeviceCount: -1 });
        expect.fail("should throw");
      } catch (error) {
        expect(error).to.be.instanceOf(GraphClientError);
        expect((error as Error).message).to.contain("2 problems").and.contain("id:").and.contain("compliantDeviceCount:");
      }
    });
  });

  describe("counters", () => {
    const bad: Array<[unknown, string]> = [
      ["4", 'string "4"'],
      [4.5, "4.5"],
      [-1, "-1"],
      [Number.NaN, "NaN"],
      [Number.POSITIVE_INFINITY, "Infinity"],
      [Number.NEGATIVE_INFINITY, "-Infinity"],
      [2 ** 31, "2147483648"],
      [null, "null"],
      [true, "boolean true"],
      [false, "boolean false"],
      [4n, "bigint 4n"],
      [[4], "array"],
      [{ value: 4 }, "object"],
    ];
    for (const [value, got] of bad) {
      it(`rejects ${got} without coercing it`, () => {
        expect(issuesOf({ unknownUserCount: value })).to.deep.equal([
          { path: "unknownUserCount", message: `must be an integer from 0 to 2147483647, got ${got}` },
        ]);
      });
    }
    it("checks every one of the 14 counters", () => {
      const input = Object.fromEntries(SOFTWARE_UPDATE_STATUS_SUMMARY_COUNTERS.map((name) => [name, "1"]));
      expect(issuesOf(input).map((issue) => issue.path)).to.deep.equal([...SOFTWARE_UPDATE_STATUS_SUMMARY_COUNTERS]);
    });
  });

  describe("displayName, id and @odata.type", () => {
    it("rejects a displayName that is neither a string nor null", () => {
      for (const [value, got] of [[4, "4"], [{}, "object"], [["a"], "array"], [false, "boolean false"]] as const) {
        expect(issuesOf({ displayName: value })).to.deep.equal([{ path: "displayName", message: `must be a string or null, got ${got}` }]);
      }
    });

    it("rejects id as the read-only key", () => {
      expect(issuesOf({ id: "4f71421f", displayName: "x" })).to.deep.equal([
        { path: "id", message: "is the read-only key of the entity and cannot be updated; remove it" },
      ]);
    });

    it("rejects any other @odata.type", () => {
      const issues = issuesOf({ "@odata.type": "#microsoft.graph.user", displayName: "x" });
      expect(issues).to.have.length(1);
      expect(issues[0]?.path).to.equal("@odata.type");
      expect(issues[0]?.message).to.contain('must be "#microsoft.graph.softwareUpdateStatusSummary"').and.contain("#microsoft.graph.user");
    });
  });

  describe("unknown keys", () => {
    it("suggests the closest property for typos and case mistakes", () => {
      expect(issuesOf({ compliantDeviceCont: 1 })[0]?.message).to.equal(
        'is not a writable property of softwareUpdateStatusSummary; did you mean "compliantDeviceCount"?',
      );
      expect(issuesOf({ CompliantDeviceCount: 1 })[0]?.message).to.contain('did you mean "compliantDeviceCount"?');
      expect(issuesOf({ displayname: "x" })[0]?.message).to.contain('did you mean "displayName"?');
      expect(issuesOf({ nonCompliantUsersCount: 1 })[0]?.message).to.contain('did you mean "nonCompliantUserCount"?');
    });

    it("suggests nothing when no property is close", () => {
      expect(issuesOf({ colour: "red" })).to.deep.equal([{ path: "colour", message: "is not a writable property of softwareUpdateStatusSummary" }]);
    });

    it("rejects __proto__ and constructor as own keys without polluting any prototype", () => {
      const fromJson: unknown = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"displayName":"x"}');
      const issues = issuesOf(fromJson);
      expect(issues.map((issue) => issue.path)).to.deep.equal(["__proto__", "constructor"]);
      expect(issues[0]?.message).to.equal("is not a writable property of softwareUpdateStatusSummary");

      const defined: Record<string, unknown> = { compliantDeviceCount: 1 };
      Object.defineProperty(defined, "__proto__", { value: { polluted: true }, enumerable: true });
      expect(issuesOf(defined).map((issue) => issue.path)).to.deep.equal(["__proto__"]);

      expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
      expect((Object.prototype as Record<string, unknown>).polluted).to.equal(undefined);
      expect((Object as unknown as Record<string, unknown>).polluted).to.equal(undefined);
    });

    it("never carries __proto__ into the result", () => {
      const input: unknown = JSON.parse('{"displayName":"x"}');
      const result = validate(input) as Record<string, unknown>;
      expect(Object.getPrototypeOf(result)).to.equal(Object.prototype);
      expect(Object.keys(result)).to.deep.equal(["displayName"]);
    });

    it("rejects symbol keys and non-enumerable unknown keys", () => {
      const input: Record<string | symbol, unknown> = { displayName: "x", [Symbol("tag")]: 1 };
      Object.defineProperty(input, "hidden", { value: 1, enumerable: false });
      expect(issuesOf(input).map((issue) => issue.path)).to.deep.equal(["hidden", "Symbol(tag)"]);
    });

    it("rejects getters without calling them", () => {
      let called = false;
      const input = {
        get compliantDeviceCount(): number {
          called = true;
          return 1;
        },
      };
      expect(issuesOf(input)).to.deep.equal([
        { path: "compliantDeviceCount", message: "must be a plain data property, not a getter or setter" },
      ]);
      expect(called).to.equal(false);
    });
  });

  it("lists every problem at once in a stable order, whatever the key order", () => {
    const expected = [
      "id",
      "displayName",
      "compliantDeviceCount",
      "notApplicableUserCount",
      "@odata.type",
      "aaa",
      "errorDevicecount",
      "zzz",
    ];
    const a = {
      zzz: 1,
      notApplicableUserCount: -5,
      "@odata.type": "wrong",
      errorDevicecount: 1,
      compliantDeviceCount: "4",
      id: "x",
      aaa: 2,
      displayName: 7,
    };
    const b = Object.fromEntries(Object.entries(a).reverse());
    expect(issuesOf(a).map((issue) => issue.path)).to.deep.equal(expected);
    expect(issuesOf(b)).to.deep.equal(issuesOf(a));
    expect(issuesOf(a).find((issue) => issue.path === "errorDevicecount")?.message).to.contain('did you mean "errorDeviceCount"?');
  });
});
