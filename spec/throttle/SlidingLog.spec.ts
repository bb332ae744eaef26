import { expect } from "chai";
import fc from "fast-check";
import { SlidingLog } from "../../lib/throttle/SlidingLog.js";

/** Grants in the half-open span (t - windowMs, t]. */
function countIn(times: readonly number[], end: number, windowMs: number): number {
  return times.filter((t) => t > end - windowMs && t <= end).length;
}

describe("SlidingLog", () => {
  it("admits `limit` at once, then only when the grant `limit` places back has left the window", () => {
    const log = new SlidingLog(3, 1000);
    for (const t of [0, 10, 20]) {
      expect(log.waitMs(t)).to.equal(0);
      log.add(t);
    }
    expect(log.waitMs(20)).to.equal(980);
    expect(log.waitMs(999)).to.equal(1);
    // The boundary: a grant at 0 stops counting exactly at 1000, as in the Redis store.
    expect(log.waitMs(1000)).to.equal(0);
    log.add(1000);
    expect(log.waitMs(1000)).to.equal(10);
  });

  it("never holds more than `limit` grants in any window, even at the boundaries (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 200 }),
        fc.array(fc.integer({ min: 0, max: 60 }), { minLength: 1, maxLength: 120 }),
        (limit, windowMs, steps) => {
          const log = new SlidingLog(limit, windowMs);
          const granted: number[] = [];
          let now = 0;
          for (const step of steps) {
            now += step;
            const wait = log.waitMs(now);
            if (wait === 0) {
              log.add(now);
              granted.push(now);
            } else {
              // The promised wait is exact: right then a grant fits.
              expect(log.waitMs(now + wait)).to.equal(0);
            }
          }
          for (const end of granted) expect(countIn(granted, end, windowMs)).to.be.at.most(limit);
          expect(log.count(now)).to.equal(countIn(granted, now, windowMs));
          const inWindow = granted.filter((t) => t > now - windowMs);
          expect(log.usage(now)).to.deep.equal({ count: inWindow.length, oldestAgeMs: inWindow.length === 0 ? 0 : now - Math.min(...inWindow) });
        },
      ),
    );
  });

  it("counts exactly after any mix of grants, refunds and moves, asked at any time (property)", () => {
    // The model keeps the log's entries in time order, as the log's own contract describes them.
    type Op = { kind: "add"; step: number } | { kind: "removeNewest" } | { kind: "remove"; pick: number } | { kind: "moveTo"; pick: number; by: number } | { kind: "ask"; back: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), step: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant("removeNewest" as const) }),
      fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant("moveTo" as const), pick: fc.nat(), by: fc.integer({ min: -30, max: 60 }) }),
      fc.record({ kind: fc.constant("ask" as const), back: fc.integer({ min: 0, max: 120 }) }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 150 }), fc.array(op, { minLength: 1, maxLength: 200 }), (limit, windowMs, ops) => {
        const log = new SlidingLog(limit, windowMs);
        const model: number[] = [];
        let evicted: number | undefined;
        let now = 0;
        const check = (at: number): void => {
          // Entries are never later than the time asked in use; asked earlier, the later ones count as in the window.
          const inWindow = model.filter((t) => t > at - windowMs);
          const expected = { count: inWindow.length, oldestAgeMs: inWindow.length === 0 ? 0 : Math.max(0, at - Math.min(...inWindow)) };
          expect(log.usage(at), `usage at ${at} of [${model.join(", ")}]`).to.deep.equal(expected);
          expect(log.count(at)).to.equal(expected.count);
        };
        for (const step of ops) {
          if (step.kind === "add") {
            now += step.step;
            log.add(now);
            if (model.length < limit) model.push(now);
            else {
              evicted = model.shift();
              model.push(now);
            }
          } else if (step.kind === "removeNewest") {
            log.removeNewest();
            if (model.length === 0) continue;
            model.pop();
            if (model.length + 1 === limit) model.unshift(evicted ?? Number.NEGATIVE_INFINITY);
            evicted = undefined;
          } else if (step.kind === "remove" && model.length > 0) {
            const time = model[step.pick % model.length] as number;
            log.remove(time);
            model.splice(model.lastIndexOf(time), 1);
            evicted = undefined;
          } else if (step.kind === "moveTo" && model.length > 0) {
            const time = model[step.pick % model.length] as number;
            const to = Math.max(0, Math.min(now, time + step.by));
            log.moveTo(time, to);
            if (to !== time) {
              model.splice(model.lastIndexOf(time), 1);
              const at = model.filter((t) => t <= to).length;
              model.splice(at, 0, to);
              evicted = undefined;
            }
          } else if (step.kind === "ask") {
            // Asked at an earlier time too: a search must not rely on time only moving forward.
            check(Math.max(0, now - step.back));
          }
          check(now);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("keeps room for grants promised but not logged yet", () => {
    const log = new SlidingLog(3, 1000);
    log.add(0);
    expect(log.waitMs(0, 1)).to.equal(0);
    expect(log.waitMs(0, 2)).to.equal(1000);
    expect(log.waitMs(0, 3)).to.equal(Number.POSITIVE_INFINITY);
  });

  it("resizes keeping the most recent grants", () => {
    const log = new SlidingLog(4, 1000);
    for (const t of [0, 100, 200, 300, 400]) log.add(t);
    const smaller = log.resized(2, 1000);
    expect(smaller.count(400)).to.equal(2);
    expect(smaller.waitMs(400)).to.equal(1300 - 400);
    const larger = log.resized(6, 500);
    expect(larger.count(400)).to.equal(4);
    expect(larger.waitMs(400)).to.equal(0);
  });

  it("is idle once every grant has left the window", () => {
    const log = new SlidingLog(2, 100);
    expect(log.isIdle(0)).to.equal(true);
    log.add(50);
    expect(log.isIdle(149)).to.equal(false);
    expect(log.isIdle(150)).to.equal(true);
  });

  it("removeNewest gives back the last grant exactly, also after it pushed an old one out", () => {
    const log = new SlidingLog(2, 1000);
    log.add(0);
    log.add(500);
    log.add(1200); // pushes 0 out of the full ring
    expect(log.waitMs(1200)).to.equal(300);
    log.removeNewest(); // back to [0, 500]
    expect(log.count(900)).to.equal(2);
    expect(log.waitMs(900)).to.equal(100);
    log.removeNewest();
    log.removeNewest();
    log.removeNewest(); // more refunds than grants are harmless
    expect(log.count(900)).to.equal(0);
    expect(log.waitMs(900)).to.equal(0);
  });

  it("moveTo moves a grant to its response time, keeping time order, also in a full ring", () => {
    const log = new SlidingLog(3, 1000);
    log.add(0);
    log.add(100);
    log.add(200);
    log.add(1100); // the ring is full and wrapped: [100, 200, 1100]
    log.moveTo(100, 1150); // the grant at 100 was answered at 1150
    // Now [200, 1100, 1150]: the slot of the grant at 100 frees only at 2150, not at 1100.
    expect(log.count(1150)).to.equal(3);
    expect(log.waitMs(1150)).to.equal(50);
    expect(log.waitMs(1200)).to.equal(0);
    log.add(1200); // [1100, 1150, 1200]
    expect(log.waitMs(1200)).to.equal(900);
    expect(log.waitMs(2050)).to.equal(50);
  });

  it("moveTo places a grant between other grants, in time order, later or earlier than its grant", () => {
    const log = new SlidingLog(4, 1000);
    for (const t of [0, 100, 200, 300]) log.add(t);
    log.moveTo(0, 150); // [100, 150, 200, 300]
    expect(log.waitMs(1099)).to.equal(1); // 100 still holds the oldest slot
    expect(log.waitMs(1100)).to.equal(0);
    log.add(1100); // [150, 200, 300, 1100]
    expect(log.waitMs(1100)).to.equal(50); // the moved grant frees at 1150, not at 1000 or 1300
    log.moveTo(1100, 120); // earlier than its grant: [120, 150, 200, 300]
    expect(log.waitMs(1100)).to.equal(20);
    expect(log.count(1100)).to.equal(4);
  });

  it("moveTo leaves the log alone when the grant is no longer held", () => {
    const log = new SlidingLog(2, 1000);
    log.add(0);
    log.add(10);
    log.add(20); // 0 was pushed out
    log.moveTo(0, 500);
    expect(log.waitMs(500)).to.equal(510);
    log.moveTo(15, 500); // no such grant
    expect(log.waitMs(500)).to.equal(510);
  });

  it("remove gives back the named grant, not the newest one", () => {
    const log = new SlidingLog(3, 1000);
    log.add(0);
    log.add(100);
    log.add(200);
    log.moveTo(0, 300); // [100, 200, 300]
    log.remove(200); // [100, 300]
    expect(log.count(300)).to.equal(2);
    log.add(400); // [100, 300, 400]
    expect(log.waitMs(400)).to.equal(700);
    log.remove(999); // unknown: nothing happens
    expect(log.count(400)).to.equal(3);
  });
  it("names the oldest of the last `limit` grants, the one a grant waits for when none is promised", () => {
    const log = new SlidingLog(3, 1000);
    expect(log.oldestKept()).to.equal(Number.NEGATIVE_INFINITY);
    for (const t of [10, 20, 30]) log.add(t);
    expect(log.oldestKept()).to.equal(10);
    log.add(1500);
    expect(log.oldestKept(), "the ring moved on").to.equal(20);
    expect(new SlidingLog(0, 1000).oldestKept()).to.equal(Number.NEGATIVE_INFINITY);
  });
});
