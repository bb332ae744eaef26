import { expect } from "chai";
import { build, type BuildOptions, type Metafile } from "esbuild";
import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

async function bundleForBrowser(entry: Pick<BuildOptions, "entryPoints" | "stdin">): Promise<Metafile> {
  const result = await build({
    ...entry,
    absWorkingDir: root,
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    metafile: true,
    logLevel: "silent",
  });
  expect(result.errors).to.deep.equal([]);
  return result.metafile;
}

/** Everything that makes a bundle unfit for a browser (Teams tab). */
function problems(metafile: Metafile): string[] {
  const found: string[] = [];
  for (const [path, input] of Object.entries(metafile.inputs)) {
    const normalised = path.replace(/\\/g, "/");
    if (/(^|\/)lib\/(testing|redis)\//.test(normalised)) found.push(`bundles ${normalised}`);
    for (const imported of input.imports) {
      const bare = imported.path.replace(/\/.*$/, "");
      if (imported.path.startsWith("node:") || NODE_BUILTINS.has(imported.path) || (imported.external === true && NODE_BUILTINS.has(bare))) {
        found.push(`${normalised} imports Node built-in ${imported.path}`);
      }
    }
  }
  for (const output of Object.values(metafile.outputs)) {
    for (const imported of output.imports) if (imported.external === true) found.push(`output imports external ${imported.path}`);
  }
  return found;
}

describe("browser bundle", function () {
  this.timeout(20_000);

  it("bundles lib/index.ts for the browser without Node built-ins, lib/testing or lib/redis", async () => {
    const metafile = await bundleForBrowser({ entryPoints: ["lib/index.ts"] });
    expect(Object.keys(metafile.inputs)).to.include("lib/index.ts");
    expect(problems(metafile)).to.deep.equal([]);
  });

  it("really bundles the client, the auth handler, the validator and the official client from the root", async () => {
    const metafile = await bundleForBrowser({ entryPoints: ["lib/index.ts"] });
    const inputs = Object.keys(metafile.inputs);
    // Not vacuous: the helper, the auth handler and the official client are really in it.
    expect(inputs).to.include.members(["lib/client/createGraphClient.ts", "lib/auth/SecureAuthenticationHandler.ts", "lib/entity/validateSoftwareUpdateStatusSummaryPatch.ts"]);
    expect(inputs.some((path) => path.includes("@microsoft/microsoft-graph-client/lib/es/"))).to.equal(true);
    // isomorphic-fetch resolves to its browser build, not node-fetch.
    expect(inputs.some((path) => path.includes("node-fetch"))).to.equal(false);
    expect(problems(metafile)).to.deep.equal([]);
  });

  it("would catch a Node built-in", async () => {
    const result = await build({
      stdin: { contents: 'import { randomUUID } from "node:crypto"; export const id = randomUUID();', resolveDir: root, loader: "ts" },
      absWorkingDir: root,
      bundle: true,
      write: false,
      platform: "browser",
      format: "esm",
      metafile: true,
      logLevel: "silent",
      external: ["node:*"],
    });
    expect(problems(result.metafile)).to.not.deep.equal([]);
  });
});
