// Builds ESM (dist/esm) and CommonJS (dist/cjs) with .d.ts files for the `exports` map.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";

rmSync("dist", { recursive: true, force: true });
const tsc = (project) => execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", project], { stdio: "inherit" });
tsc("tsconfig.build.json");
tsc("tsconfig.build.cjs.json");
// Each output folder declares its module kind so Node and bundlers read it right.
mkdirSync("dist/esm", { recursive: true });
writeFileSync("dist/esm/package.json", JSON.stringify({ type: "module" }) + "\n");
writeFileSync("dist/cjs/package.json", JSON.stringify({ type: "commonjs" }) + "\n");
