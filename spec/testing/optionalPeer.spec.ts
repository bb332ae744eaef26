import { expect } from "chai";
import { importOptionalPeer } from "../../lib/testing/optionalPeer.js";

describe("importOptionalPeer", () => {
  it("returns the module when it is installed", async () => {
    const undici = await importOptionalPeer("undici", () => import("undici"));
    expect(undici.Agent).to.be.a("function");
  });

  it("names a missing package and how to install it", async () => {
    const name = "msgraph-sus-no-such-peer";
    const error = await importOptionalPeer(name, () => import(name)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.contain(`"${name}"`).and.to.contain(`npm install --save-dev ${name}`);
    expect((error?.cause as { code?: string }).code).to.equal("ERR_MODULE_NOT_FOUND");
  });

  it("passes on other failures unchanged", async () => {
    const failure = new Error("syntax error inside the package");
    const error = await importOptionalPeer("undici", () => Promise.reject(failure)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.equal(failure);
  });
});
