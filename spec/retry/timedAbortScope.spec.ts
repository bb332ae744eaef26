import { expect } from "chai";
import sinon from "sinon";
import { createTimedAbortScope } from "../../lib/retry/timedAbortScope.js";

describe("createTimedAbortScope", () => {
  let clock: sinon.SinonFakeTimers;
  beforeEach(() => {
    clock = sinon.useFakeTimers();
  });
  afterEach(() => clock.restore());

  it("aborts when the timeout elapses and says so", () => {
    const scope = createTimedAbortScope(undefined, 100, () => "timeout-reason");
    clock.tick(99);
    expect(scope.signal.aborted).to.equal(false);
    clock.tick(1);
    expect(scope.signal.aborted).to.equal(true);
    expect(scope.signal.reason).to.equal("timeout-reason");
    expect(scope.timedOut).to.equal(true);
    expect(clock.countTimers()).to.equal(0);
  });

  it("with onAbort, tells it once before the signal aborts, and makes no AbortController until the signal is read", () => {
    const made = sinon.spy(globalThis, "AbortController");
    try {
      const reasons: unknown[] = [];
      const scope = createTimedAbortScope(undefined, 100, () => "timeout-reason", undefined, (reason) => reasons.push(reason));
      clock.tick(100);
      expect(reasons).to.deep.equal(["timeout-reason"]);
      expect([scope.timedOut, made.callCount]).to.deep.equal([true, 0]);
      // Read late, the signal is made already aborted, with the same reason.
      expect([scope.signal.aborted, scope.signal.reason, made.callCount]).to.deep.equal([true, "timeout-reason", 1]);
      scope.dispose();
      expect(reasons).to.have.length(1);
      const parent = new AbortController();
      const followed: unknown[] = [];
      const child = createTimedAbortScope(parent.signal, 1000, undefined, undefined, (reason) => followed.push(reason));
      parent.abort("caller-reason");
      expect([followed, child.timedOut, child.signal.reason]).to.deep.equal([["caller-reason"], false, "caller-reason"]);
      expect(clock.countTimers()).to.equal(0);
    } finally {
      made.restore();
    }
  });

  it("follows its parent with the parent's reason; any number of scopes share one listener on it", () => {
    const parent = new AbortController();
    const add = sinon.spy(parent.signal, "addEventListener");
    const scopes = Array.from({ length: 50 }, () => createTimedAbortScope(parent.signal, 1000));
    scopes[0]?.dispose(); // a disposed scope no longer follows
    parent.abort("caller-reason");
    expect(scopes[0]?.signal.aborted).to.equal(false);
    for (const scope of scopes.slice(1)) {
      expect(scope.signal.reason).to.equal("caller-reason");
      expect(scope.timedOut).to.equal(false);
    }
    expect(clock.countTimers()).to.equal(0);
    // A signal shared by thousands of requests must not collect a listener per request.
    expect(add.callCount).to.be.at.most(1);
  });

  it("does not need AbortSignal.any (Node 18.17 to 20.2 lack it)", () => {
    const any = Object.getOwnPropertyDescriptor(AbortSignal, "any");
    Object.defineProperty(AbortSignal, "any", { value: undefined, configurable: true });
    try {
      const parent = new AbortController();
      const scope = createTimedAbortScope(parent.signal, 1000);
      const nested = createTimedAbortScope(scope.signal, 500);
      parent.abort("caller-reason");
      expect(scope.signal.reason).to.equal("caller-reason");
      expect(nested.signal.reason).to.equal("caller-reason");
      expect(clock.countTimers()).to.equal(0);
      const detached = createTimedAbortScope(new AbortController().signal, 1000);
      detached.dispose();
      expect(clock.countTimers()).to.equal(0);
    } finally {
      if (any !== undefined) Object.defineProperty(AbortSignal, "any", any);
    }
  });

  it("starts aborted under an aborted parent, with no timer", () => {
    const scope = createTimedAbortScope(AbortSignal.abort("gone"), 1000);
    expect(scope.signal.aborted).to.equal(true);
    expect(scope.signal.reason).to.equal("gone");
    expect(clock.countTimers()).to.equal(0);
  });

  it("suspends and resumes keeping the remaining time (the attempt clock)", () => {
    const scope = createTimedAbortScope(undefined, 100);
    clock.tick(40);
    scope.suspend();
    scope.suspend(); // idempotent
    expect(clock.countTimers()).to.equal(0);
    clock.tick(10_000); // queued time does not count
    expect(scope.signal.aborted).to.equal(false);
    scope.resume();
    scope.resume(); // idempotent
    expect(clock.countTimers()).to.equal(1);
    clock.tick(59);
    expect(scope.signal.aborted).to.equal(false);
    clock.tick(1);
    expect(scope.timedOut).to.equal(true);
  });

  it("dispose clears the timer and leaves the parent (its listener goes with the last follower)", () => {
    const parent = new AbortController();
    const remove = sinon.spy(parent.signal, "removeEventListener");
    const scope = createTimedAbortScope(parent.signal, 100);
    scope.dispose();
    scope.resume(); // no timer after dispose
    expect(clock.countTimers()).to.equal(0);
    expect(remove.calledWith("abort")).to.equal(true);
    clock.tick(1000);
    parent.abort("late");
    expect(scope.signal.aborted).to.equal(false);
    expect(scope.timedOut).to.equal(false);
  });

  it("tells the time left: running, suspended, after it fired, and Infinity without a timeout", () => {
    const scope = createTimedAbortScope(undefined, 100);
    clock.tick(30);
    expect(scope.timeLeftMs).to.equal(70);
    scope.suspend();
    clock.tick(1_000);
    expect(scope.timeLeftMs).to.equal(70);
    scope.resume();
    clock.tick(20);
    expect(scope.timeLeftMs).to.equal(50);
    clock.tick(50);
    expect(scope.timeLeftMs).to.equal(0);
    expect(createTimedAbortScope(undefined, Infinity).timeLeftMs).to.equal(Infinity);
  });

  it("has no timer for Infinity or out-of-range timeouts", () => {
    createTimedAbortScope(undefined, Infinity);
    createTimedAbortScope(undefined, 2 ** 40);
    expect(clock.countTimers()).to.equal(0);
  });
});
