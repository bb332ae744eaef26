import { expect } from "chai";
import sinon from "sinon";
import { createTimedAbortScope } from "../../lib/retry/timedAbortScope.js";

describe("createTimedAbortScope with a deadline", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  const deadlineAt = (ms: number) => ({ at: performance.now() + ms, reason: () => "deadline-reason" });

  it("aborts at the deadline when it comes before the timeout, with one timer", () => {
    const scope = createTimedAbortScope(undefined, 1_000, () => "timeout-reason", deadlineAt(300));
    expect(clock.countTimers()).to.equal(1);
    clock.tick(300);
    expect(scope.signal.reason).to.equal("deadline-reason");
    expect(scope.deadlineExpired).to.equal(true);
    expect(scope.timedOut).to.equal(false);
    expect(clock.countTimers()).to.equal(0);
  });

  it("times out first when the timeout is shorter", () => {
    const scope = createTimedAbortScope(undefined, 100, () => "timeout-reason", deadlineAt(300));
    clock.tick(100);
    expect(scope.signal.reason).to.equal("timeout-reason");
    expect(scope.timedOut).to.equal(true);
    expect(scope.deadlineExpired).to.equal(false);
  });

  it("keeps the deadline running while the timeout is suspended", () => {
    const scope = createTimedAbortScope(undefined, 100, () => "timeout-reason", deadlineAt(480));
    clock.tick(50);
    scope.suspend();
    expect(clock.countTimers()).to.equal(1); // the deadline's
    clock.tick(400);
    expect(scope.signal.aborted).to.equal(false);
    scope.resume();
    clock.tick(29); // 50 ms of the timeout are left, but the deadline is 30 ms away
    expect(scope.signal.aborted).to.equal(false);
    clock.tick(1);
    expect(scope.signal.reason).to.equal("deadline-reason");
    expect(scope.deadlineExpired).to.equal(true);
  });

  it("resumes the timeout when it ends before the deadline", () => {
    const scope = createTimedAbortScope(undefined, 100, () => "timeout-reason", deadlineAt(10_000));
    clock.tick(60);
    scope.suspend();
    clock.tick(1_000);
    scope.resume();
    clock.tick(39);
    expect(scope.signal.aborted).to.equal(false);
    clock.tick(1);
    expect(scope.timedOut).to.equal(true);
    expect(clock.countTimers()).to.equal(0);
  });

  it("follows the parent, and dispose leaves no timer for either limit", () => {
    const parent = new AbortController();
    const scope = createTimedAbortScope(parent.signal, 100, undefined, deadlineAt(300));
    parent.abort("caller");
    expect(scope.signal.reason).to.equal("caller");
    expect(scope.deadlineExpired).to.equal(false);
    expect(clock.countTimers()).to.equal(0);
    const other = createTimedAbortScope(undefined, 100, undefined, deadlineAt(300));
    other.suspend();
    other.dispose();
    expect(clock.countTimers()).to.equal(0);
  });

  it("has no timer for an infinite deadline", () => {
    createTimedAbortScope(undefined, Infinity, undefined, { at: Infinity, reason: () => "x" });
    expect(clock.countTimers()).to.equal(0);
  });
});
