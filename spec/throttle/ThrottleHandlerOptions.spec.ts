import { expect } from "chai";
import { InvalidOptionsError } from "../../lib/errors/InvalidOptionsError.js";
import { ADAPTIVE_DEFAULTS, resolveThrottleOptions, THROTTLE_DEFAULTS, type ThrottleHandlerOptions } from "../../lib/throttle/ThrottleHandlerOptions.js";
import { ThrottleHandler } from "../../lib/throttle/ThrottleHandler.js";
import { MemoryThrottleStore } from "../../lib/throttle/MemoryThrottleStore.js";
import { DEFAULT_RETRY_OPTIONS } from "../../lib/retry/ResilientRetryOptions.js";
import type { ThrottleBudget } from "../../lib/throttle/ThrottleBudget.js";

describe("ThrottleHandler options", () => {
  it("defaults every option in one place", () => {
    const settings = resolveThrottleOptions();
    expect(settings).to.deep.include(THROTTLE_DEFAULTS);
    expect(settings.adaptive).to.deep.equal(ADAPTIVE_DEFAULTS);
    expect(settings.store).to.be.instanceOf(MemoryThrottleStore);
    expect(settings.presets).to.equal("graph-hosts");
    expect(THROTTLE_DEFAULTS).to.deep.include({ maxConcurrency: 50, maxQueue: 10_000, presetTimeScale: 1, budgetBurst: 4, maxKeys: 10_000 });
  });

  it("caps cooldown waits by default where the retry handler caps Retry-After, so both give up alike", () => {
    expect(THROTTLE_DEFAULTS.maxCooldownMs).to.equal(DEFAULT_RETRY_OPTIONS.maxRetryAfterMs);
  });

  it("keeps the store passed in, merges adaptive tuning, and turns adaptive mode off with false", () => {
    const store = new MemoryThrottleStore();
    expect(resolveThrottleOptions({ store }).store).to.equal(store);
    expect(resolveThrottleOptions({ adaptive: { initialRate: 5 } }).adaptive).to.deep.equal({ ...ADAPTIVE_DEFAULTS, initialRate: 5 });
    expect(resolveThrottleOptions({ adaptive: false }).adaptive).to.equal(false);
    // An explicit undefined keeps the default.
    expect(resolveThrottleOptions({ maxQueue: undefined }).maxQueue).to.equal(10_000);
  });

  const invalid: Array<[string, ThrottleHandlerOptions]> = [
    ["maxConcurrency", { maxConcurrency: 0 }],
    ["maxQueue", { maxQueue: 1.5 }],
    ["presets", { presets: "sometimes" as unknown as false }],
    ["presetTimeScale", { presetTimeScale: 0 }],
    ["windowMarginRatio", { windowMarginRatio: -0.1 }],
    ["budgetBurst", { budgetBurst: 0.5 }],
    ["defaultCooldownMs", { defaultCooldownMs: Number.NaN }],
    ["cooldownStatuses", { cooldownStatuses: ["429"] as unknown as number[] }],
    ["budgets[0].limit", { budgets: [{ route: "/a", methods: "write", scope: "tenant", limit: 0, windowMs: 1000 }] }],
    ["budgets[0].route", { budgets: [{ route: "deviceManagement", methods: "write", scope: "tenant", limit: 1, windowMs: 1000 }] }],
    ["budgets[0].scope", { budgets: [{ route: "/a", methods: "write", scope: "org" as "app", limit: 1, windowMs: 1000 }] }],
    ["budgets[0].methods", { budgets: [{ route: "/a", methods: "writes" as "write", scope: "app", limit: 1, windowMs: 1000 }] }],
    ["budgets[0].windowMs", { budgets: [{ route: "/a", methods: "any", scope: "app", limit: 1, windowMs: -1 }] }],
    ["adaptive.decreaseFactor", { adaptive: { decreaseFactor: 1 } }],
    ["adaptive.minRate", { adaptive: { minRate: 10, maxRate: 5 } }],
    ["adaptive.burst", { adaptive: { burst: 0 } }],
    ["onThrottle", { onThrottle: "log" as unknown as () => void }],
    ["store", { store: {} as MemoryThrottleStore }],
    ["maxKeys", { maxKeys: 0 }],
    // Beyond setTimeout's range (about 24.8 days) a time is surely a unit mistake, and would overflow a timer.
    ["maxCooldownMs", { maxCooldownMs: 1e12 }],
    ["idleKeyMs", { idleKeyMs: 1e12 }],
    ["storeTimeoutMs", { storeTimeoutMs: 1e12 }],
    ["defaultCooldownMs", { defaultCooldownMs: 1e12 }],
    ["windowMarginMs", { windowMarginMs: 1e12 }],
    ["presetTimeScale", { presetTimeScale: 1e9 }],
    ["budgets[0].windowMs", { budgets: [{ route: "/a", methods: "any", scope: "app", limit: 1, windowMs: 1e12 }] }],
    ["adaptive.holdMs", { adaptive: { holdMs: 1e12 } }],
  ];
  for (const [name, options] of invalid) {
    it(`rejects an invalid ${name} with InvalidOptionsError naming it`, () => {
      expect(() => new ThrottleHandler(options))
        .to.throw(InvalidOptionsError)
        .with.property("message")
        .that.includes(name);
    });
  }

  it("rejects a misspelt option and suggests the real one", () => {
    expect(() => new ThrottleHandler({ maxConcurency: 5 } as ThrottleHandlerOptions))
      .to.throw(InvalidOptionsError)
      .with.property("message")
      .that.includes("did you mean `maxConcurrency`?");
  });

  it("reports every problem in one error, nested ones with their path", () => {
    let error: InvalidOptionsError | undefined;
    try {
      new ThrottleHandler({
        maxQueue: 0,
        adaptive: { minRate: -1, burts: 2 } as ThrottleHandlerOptions["adaptive"],
        budgets: [{ route: "/a", methods: "write", scope: "tenant", limit: 0 } as unknown as ThrottleBudget],
        onStoreError: () => undefined,
      } as ThrottleHandlerOptions);
    } catch (caught) {
      error = caught as InvalidOptionsError;
    }
    expect(error).to.be.instanceOf(InvalidOptionsError);
    expect(error!.issues.map((issue) => issue.path)).to.deep.equal([
      "onStoreError",
      "budgets[0].limit",
      "budgets[0].windowMs",
      "adaptive.burts",
      "adaptive.minRate",
      "maxQueue",
    ]);
    expect(error!.issues[0]!.message).to.match(/onStoreFallback/);
    expect(error!.issues[3]!.message).to.equal("is not an option; did you mean `burst`?");
    expect(error!.message).to.match(/^Invalid ThrottleHandler options \(6 problems\):\n {2}- onStoreError: /);
    for (const issue of error!.issues) expect(error!.message).to.include(`  - ${issue.path}: ${issue.message}`);
  });

  it("keeps the store fallback settings: timeout, probe interval, fallback store and listeners", () => {
    const fallbackStore = new MemoryThrottleStore();
    const onStoreFallback = () => undefined;
    const settings = resolveThrottleOptions({ storeTimeoutMs: 100, storeProbeIntervalMs: 50, fallbackStore, onStoreFallback });
    expect(settings).to.include({ storeTimeoutMs: 100, storeProbeIntervalMs: 50, fallbackStore, onStoreFallback });
    expect(resolveThrottleOptions().fallbackStore).to.be.instanceOf(MemoryThrottleStore);
    expect(() => resolveThrottleOptions({ fallbackStore: {} as MemoryThrottleStore })).to.throw(InvalidOptionsError, /fallbackStore/);
  });
});
