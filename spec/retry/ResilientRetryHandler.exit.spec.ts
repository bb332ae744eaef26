import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect } from "chai";

describe("ResilientRetryHandler leaves nothing behind after aborts", function () {
  this.timeout(15_000);

  it("leaves nothing that keeps the process alive after aborts (child process exits at once)", async () => {
    const child = fileURLToPath(new URL("./support/abortExitChild.ts", import.meta.url));
    const proc = spawn(process.execPath, ["--import", "tsx", child], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    proc.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    proc.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
    const killer = setTimeout(() => proc.kill("SIGKILL"), 12_000);
    const exitedAt = await new Promise<number>((resolve) => proc.once("exit", () => resolve(Date.now())));
    clearTimeout(killer);
    expect(err).to.equal("");
    const report = JSON.parse(out.trim()) as { duringAttempt: string; duringWait: string; doneAt: number };
    expect(report.duringAttempt).to.contain("abandoned");
    expect(report.duringWait).to.contain("abandoned");
    // With a leaked 30 s attempt timer or 60 s wait the child would linger; it must exit right away.
    expect(exitedAt - report.doneAt).to.be.below(1_500);
  });

});
