import { expect } from "chai";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));
const ATTW = join(dirname(createRequire(import.meta.url).resolve("@arethetypeswrong/cli/package.json")), "dist/index.js");
const ENTRIES = [".", "./testing", "./redis"];
const RESOLUTIONS = ["node10", "node16-cjs", "node16-esm", "bundler"];

interface AttwReport {
  readonly problems: unknown;
  readonly analysis: {
    readonly entrypoints: Record<string, { readonly resolutions: Record<string, { readonly resolution?: { readonly fileName: string } }> }>;
  };
}

describe("packaging (the npm pack tarball, as consumers resolve it)", function () {
  this.timeout(120_000);

  // node10 (TypeScript's `moduleResolution: node`, `module: commonjs`) ignores `exports`, so the
  // subpaths' types come from `typesVersions`; the other modes read `exports`.
  it("has types for every entry under node10, node16 (CJS and ESM) and bundler resolution: attw finds no problem", async () => {
    // attw runs `npm pack` on the built package (dist/, built by `npm test`'s pretest).
    const { stdout } = await promisify(execFile)(process.execPath, [ATTW, "--pack", ".", "--format", "json"], { cwd: root, maxBuffer: 64 * 1024 * 1024 }).catch(
      (error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }),
    );
    const report = JSON.parse(stdout) as AttwReport;
    const problems = Array.isArray(report.problems) ? report.problems : Object.values(report.problems as object);
    expect(problems).to.deep.equal([]);
    for (const entry of ENTRIES) {
      for (const kind of RESOLUTIONS) {
        const fileName = report.analysis.entrypoints[entry]?.resolutions[kind]?.resolution?.fileName;
        expect(fileName, `${entry} under ${kind}`).to.match(/\.d\.ts$/);
      }
    }
  });
});
