import { expect } from "chai";
import fc from "fast-check";
import { ValidationError } from "../../lib/errors/ValidationError.js";
import {
  INT32_MAX,
  SOFTWARE_UPDATE_STATUS_SUMMARY_COUNTERS,
  SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE,
  SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES,
} from "../../lib/entity/softwareUpdateStatusSummaryMetadata.js";
import type { SoftwareUpdateStatusSummaryPatch } from "../../lib/entity/SoftwareUpdateStatusSummaryPatch.js";
import { FakeTransport, fakeClient, jsonResponse } from "./support/fakeTransport.js";

const COUNTERS: ReadonlySet<string> = new Set(SOFTWARE_UPDATE_STATUS_SUMMARY_COUNTERS);

/** Whether a sent body is one Graph accepts for this entity. */
function assertValidBody(body: string | undefined): void {
  const parsed = JSON.parse(body ?? "") as Record<string, unknown>;
  expect(parsed["@odata.type"]).to.equal(SOFTWARE_UPDATE_STATUS_SUMMARY_ODATA_TYPE);
  const keys = Object.keys(parsed).filter((key) => key !== "@odata.type");
  expect(keys.length).to.be.greaterThan(0);
  for (const key of keys) {
    const value = parsed[key];
    if (key === "displayName") {
      expect(value === null || typeof value === "string", key).to.equal(true);
    } else {
      expect(COUNTERS.has(key), `unknown key ${key}`).to.equal(true);
      expect(Number.isInteger(value) && (value as number) >= 0 && (value as number) <= INT32_MAX, `${key}=${String(value)}`).to.equal(true);
    }
  }
}

/** Property: exactly one valid request, or a ValidationError and no request; nothing else. */
async function checkUpdate(input: unknown): Promise<void> {
  const transport = new FakeTransport(() => jsonResponse(200, { id: "x" }));
  const builder = fakeClient(transport).softwareUpdateStatusSummary();
  try {
    await builder.update(input as SoftwareUpdateStatusSummaryPatch);
  } catch (error) {
    expect(error, String(error)).to.be.instanceOf(ValidationError);
    expect(transport.requests).to.have.length(0);
    return;
  }
  expect(transport.requests).to.have.length(1);
  assertValidBody(transport.requests[0]?.body);
}

const anyValue = fc.oneof(
  fc.anything({ withBigInt: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true }),
  fc.integer({ min: -1, max: INT32_MAX + 1 }),
  fc.constantFrom(0, INT32_MAX, 2 ** 31, -0, 0.5, Number.NaN, Number.POSITIVE_INFINITY, null, "4", true),
);
const keyName = fc.oneof(
  fc.constantFrom(...SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES, "@odata.type", "__proto__", "constructor", "DisplayName"),
  fc.string(),
);

describe("client update() property: one valid request or a ValidationError", function () {
  this.timeout(30_000);

  it("holds for any value at all", async () => {
    await fc.assert(fc.asyncProperty(fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withNullPrototype: true, withSparseArray: true }), checkUpdate), {
      numRuns: 1500,
    });
  });

  it("holds for records of real property names with arbitrary values", async () => {
    const record = fc.dictionary(keyName, anyValue, { maxKeys: 8 });
    await fc.assert(fc.asyncProperty(record, checkUpdate), { numRuns: 2000 });
  });

  it("holds for records built from the real properties only, and such valid records are sent", async () => {
    let sent = 0;
    const writable = SOFTWARE_UPDATE_STATUS_SUMMARY_PROPERTIES.filter((name) => name !== "id");
    const record = fc.record(
      Object.fromEntries(
        writable.map((name) => [
          name,
          name === "displayName"
            ? fc.option(fc.string(), { nil: null })
            : fc.oneof({ arbitrary: fc.integer({ min: 0, max: INT32_MAX }), weight: 30 }, { arbitrary: anyValue, weight: 1 }),
        ]),
      ),
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(record, async (input) => {
        await checkUpdate(input);
        const valid =
          Object.keys(input).length > 0 &&
          Object.entries(input).every(([key, value]) =>
            key === "displayName"
              ? value === null || typeof value === "string"
              : Number.isInteger(value) && (value as number) >= 0 && (value as number) <= INT32_MAX,
          );
        if (valid) sent++;
      }),
      { numRuns: 1500 },
    );
    // The generator must reach the success path often, or the property proves little.
    expect(sent).to.be.greaterThan(300);
  });
});
