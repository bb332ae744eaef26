import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect } from "chai";
import { bundleWorker, INSTRUCTION_CLIENTS, INSTRUCTIONS_WORKER, readInstructionCount } from "../../bench/scenarios/instructions.js";

const run = promisify(execFile);

describe("bench scenario I (instructions)", () => {
  it("reads the total of callgrind's summary, and nothing from output without one", () => {
    const stderr = "==7854== Events    : Ir\n==7854== Collected : 4018840564\n==7854== \n==7854== I   refs:      4,018,840,564\n";
    expect(readInstructionCount(stderr)).to.equal(4_018_840_564);
    expect(readInstructionCount("==1== error: node exited with 1\n")).to.equal(undefined);
  });

  // The worker runs only under valgrind in the bench: here it runs plainly (through tsx), so a change
  // to the package that breaks it fails the suite instead of the next benchmark run.
  for (const { id } of INSTRUCTION_CLIENTS) {
    it(`the worker's ${id} loop sends its updates through the built package and exits 0`, async () => {
      const { stdout, stderr } = await run(process.execPath, ["--import", "tsx", INSTRUCTIONS_WORKER], { env: { ...process.env, INSTR_CLIENT: id, INSTR_COUNT: "20", INSTR_REPORT: "1" } });
      expect(stderr).to.equal("");
      expect(JSON.parse(stdout)).to.deep.equal({ client: id, sent: 20, answered: 20 });
    });
  }

  it("the bundle valgrind runs sends its updates too", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "msgraph-sus-instructions-spec-"));
    try {
      const bundle = await bundleWorker(dir);
      const { stdout } = await run(process.execPath, ["--single-threaded", bundle], { env: { ...process.env, INSTR_CLIENT: "ours", INSTR_COUNT: "20", INSTR_REPORT: "1" } });
      expect(JSON.parse(stdout)).to.deep.equal({ client: "ours", sent: 20, answered: 20 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("the worker refuses an unknown client", async () => {
    const failed = await run(process.execPath, ["--import", "tsx", INSTRUCTIONS_WORKER], { env: { ...process.env, INSTR_CLIENT: "ours-typo", INSTR_COUNT: "1" } }).then(
      () => undefined,
      (error: unknown) => error as { code?: number; stderr?: string },
    );
    expect(failed?.code).to.equal(1);
    expect(failed?.stderr).to.contain("unknown client ours-typo");
  });
});
