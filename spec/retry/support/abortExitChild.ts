// Run as a child process: aborts one request during an attempt and one during a wait, closes the
// emulator, and prints when it is done. If the retry handler left a timer (30 s attempt timeout,
// 60 s wait, 5 min deadline) the process would stay alive long after that.
import { ResilientRetryHandler } from "../../../lib/retry/ResilientRetryHandler.js";
import { startGraphEmulator } from "../../../lib/testing/index.js";
import { clientWith, SUMMARY } from "./emulatorClient.js";

const emu = await startGraphEmulator({ limits: false, faults: { hang: 1 } });
const client = clientWith(emu, new ResilientRetryHandler());

async function abortAfter(ms: number): Promise<string> {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("abandoned")), ms);
  try {
    await client.api(SUMMARY).option("signal", controller.signal).get();
    return "resolved";
  } catch (error) {
    return (error as Error).message;
  }
}

const duringAttempt = await abortAfter(100);
emu.setFaults({ unavailableWithRetryAfter: 1, unavailableRetryAfterSeconds: 60 });
const duringWait = await abortAfter(300);
await emu.close();
process.stdout.write(`${JSON.stringify({ duringAttempt, duringWait, doneAt: Date.now() })}\n`);
