import { expect } from "chai";
import sinon from "sinon";
import { raceAbort } from "../../lib/chain/raceAbort.js";

describe("raceAbort", () => {
  it("settles like the work when it finishes first, removing its listener", async () => {
    const controller = new AbortController();
    const remove = sinon.spy(controller.signal, "removeEventListener");
    expect(await raceAbort(Promise.resolve(5), controller.signal)).to.equal(5);
    const error = new Error("work failed");
    expect(await raceAbort(Promise.reject(error), controller.signal).catch((e: unknown) => e)).to.equal(error);
    expect(remove.callCount).to.equal(2);
  });

  it("rejects with the reason at once when aborted, even if the work ignores the signal", async () => {
    const controller = new AbortController();
    const never = new Promise<number>(() => undefined);
    const raced = raceAbort(never, controller.signal);
    controller.abort("why");
    expect(await raced.catch((e: unknown) => e)).to.equal("why");
    expect(await raceAbort(never, AbortSignal.abort("pre")).catch((e: unknown) => e)).to.equal("pre");
  });

  it("hands a late result to onAbandoned and swallows a late rejection", async () => {
    const controller = new AbortController();
    let resolveWork: (value: string) => void = () => undefined;
    const late: string[] = [];
    const raced = raceAbort(new Promise<string>((r) => (resolveWork = r)), controller.signal, (v) => late.push(v));
    controller.abort("x");
    await raced.catch(() => undefined);
    resolveWork("late response");
    await Promise.resolve();
    await Promise.resolve();
    expect(late).to.deep.equal(["late response"]);
    let rejectWork: (e: unknown) => void = () => undefined;
    const second = new AbortController();
    const raced2 = raceAbort(new Promise<string>((_r, j) => (rejectWork = j)), second.signal);
    second.abort("y");
    await raced2.catch(() => undefined);
    rejectWork(new Error("late")); // would be an unhandled rejection if not swallowed
    await new Promise((r) => setImmediate(r));
  });
});
