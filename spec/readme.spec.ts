import { expect } from "chai";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("..", import.meta.url));
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const run = promisify(execFile);

/** One ```ts block of the README. */
interface Block {
  /** The README line of its opening fence. */
  readonly line: number;
  readonly code: string;
}

/** Every ```ts block, with the indentation of a block inside a list item taken off. */
function tsBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```ts\s*$/.exec(lines[i] ?? "");
    if (open === null) continue;
    const indent = open[1]?.length ?? 0;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !/^\s*```\s*$/.test(lines[j] ?? ""); j++) body.push((lines[j] ?? "").slice(indent));
    blocks.push({ line: i + 1, code: body.join("\n") });
    i = j;
  }
  return blocks;
}

/**
 * The names the snippets use without defining them: the reader's own objects. Declared globally,
 * so a snippet that defines one (the quick start's `client`) shadows it in its own module.
 */
const READER_GLOBALS = `import type { AuthenticationProvider } from "@microsoft/microsoft-graph-client";
import type { GraphClient, SoftwareUpdateStatusSummaryPatch } from "msgraph-software-update-status";
declare global {
  /** An Azure credential (@azure/identity's TokenCredential). */
  const credential: { getToken(scopes: string | string[]): Promise<{ token: string; expiresOnTimestamp: number } | null> };
  const authProvider: AuthenticationProvider;
  const client: GraphClient;
  const patch: SoftwareUpdateStatusSummaryPatch;
  const logger: { info(message: string): void; warn(message: string): void };
  function shedLoad(): void;
  function log(...values: unknown[]): void;
}
export {};
`;

/** Strict ESM TypeScript as a consumer would compile it (module settings per test). */
const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2022", "DOM"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
  },
  include: ["*.ts"],
};

/** A block runs when it brings its own Graph: it starts the emulator from `/testing`. */
const runs = (block: Block): boolean => block.code.includes("startGraphEmulator(");

describe("README TypeScript blocks", function () {
  this.timeout(120_000);
  let dir: string;
  let blocks: Block[];

  before(async () => {
    blocks = tsBlocks(await readFile(join(root, "README.md"), "utf8"));
    // Inside the package, so `msgraph-software-update-status` resolves to this package through
    // `exports` (a package's self-reference), i.e. to the built dist/ as a consumer gets it.
    dir = await mkdtemp(join(root, ".readme-blocks-"));
    await writeFile(join(dir, "readerGlobals.d.ts"), READER_GLOBALS);
    for (const block of blocks) await writeFile(join(dir, `line${block.line}.ts`), `${block.code}\nexport {};\n`);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it("finds the blocks, and some that run", () => {
    expect(blocks.length).to.be.at.least(6);
    expect(blocks.filter(runs)).to.not.deep.equal([]);
  });

  for (const [resolution, module] of [
    ["NodeNext", "NodeNext"],
    ["Bundler", "ESNext"],
  ] as const) {
    it(`type-checks every block under ${resolution.toLowerCase()} resolution, strict`, async () => {
      const config = `tsconfig.${resolution}.json`;
      await writeFile(join(dir, config), JSON.stringify({ ...TSCONFIG, compilerOptions: { ...TSCONFIG.compilerOptions, module, moduleResolution: resolution } }));
      const result = await run(process.execPath, [TSC, "-p", join(dir, config)], { cwd: dir }).then(
        () => "",
        (error: { stdout?: string }) => error.stdout ?? String(error),
      );
      // lineN.ts(row,col): the README line of the error is N + row.
      const located = result.replace(/line(\d+)\.ts\((\d+),(\d+)\)/g, (_, at: string, row: string, col: string) => `README.md:${Number(at) + Number(row)}:${col}`);
      expect(located).to.equal("");
    });
  }

  it("runs every block that starts the emulator, in plain Node", async () => {
    for (const block of blocks.filter(runs)) {
      // tsx only strips the types: the package itself is loaded from dist/ as Node resolves it.
      await run(process.execPath, ["--import", "tsx", join(dir, `line${block.line}.ts`)], { cwd: dir, timeout: 30_000 });
    }
  });
});
