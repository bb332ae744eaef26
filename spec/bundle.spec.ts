import { expect } from "chai";
import { build, type BuildOptions, type Metafile } from "esbuild";
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createTestToken, startGraphEmulator } from "../lib/testing/index.js";

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

describe("Node ESM bundle", function () {
  this.timeout(30_000);

  // The root entry must load no fetch polyfill where the runtime has fetch: a static
  // `import "isomorphic-fetch"` bundled node-fetch, whose require("stream") crashed an ESM bundle at start.
  it("bundles the root for platform node, format esm, and the bundle runs createGraphClient against the emulator", async () => {
    const dir = await mkdtemp(join(tmpdir(), "msgraph-node-bundle-"));
    const emu = await startGraphEmulator({ protocol: "http", limits: false });
    try {
      await build({
        entryPoints: ["lib/index.ts"],
        absWorkingDir: root,
        bundle: true,
        platform: "node",
        format: "esm",
        target: "node20",
        outfile: join(dir, "index.mjs"),
        logLevel: "silent",
      });
      const main = [
        'import { createGraphClient } from "./index.mjs";',
        "const client = createGraphClient({",
        "  authProvider: { getAccessToken: async () => process.env.GRAPH_TOKEN },",
        "  baseUrl: process.env.GRAPH_BASE_URL,",
        "  customHosts: [process.env.GRAPH_HOST],",
        "});",
        'await client.softwareUpdateStatusSummary().update({ displayName: "bundled", compliantDeviceCount: 7 });',
        "console.log(JSON.stringify(await client.softwareUpdateStatusSummary().get()));",
      ].join("\n");
      await writeFile(join(dir, "main.mjs"), main);
      const env: NodeJS.ProcessEnv = { ...process.env, GRAPH_TOKEN: createTestToken({ tenantId: "bundled" }), GRAPH_BASE_URL: emu.url, GRAPH_HOST: emu.host };
      delete env.NODE_OPTIONS; // Plain Node, as a bundle's user runs it (no tsx loader).
      const { stdout } = await promisify(execFile)(process.execPath, [join(dir, "main.mjs")], { env, cwd: dir });
      expect(JSON.parse(stdout)).to.include({ displayName: "bundled", compliantDeviceCount: 7 });
      expect(emu.entity("bundled")).to.include({ displayName: "bundled", compliantDeviceCount: 7 });
    } finally {
      await emu.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
