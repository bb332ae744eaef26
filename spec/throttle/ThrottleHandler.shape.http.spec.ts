import { expect } from "chai";
import { useEmulators } from "../testing/support/helpers.js";
import { emulatorClient, patchMany } from "./support/emulatorChain.js";

const writesPerTenant = (limit: number, windowMs: number) => [{ name: "writes per tenant", requests: "write" as const, scope: "tenant" as const, limit, windowMs }];

describe("ThrottleHandler over HTTP: learning a window longer than a second", () => {
  const emulator = useEmulators();

  for (const format of ["fractional-seconds", "seconds"] as const) {
    it(`learns L and W of a 30 per 3 s sliding window (Retry-After in ${format}) and spends it as bursts`, async () => {
      const LIMIT = 30;
      const WINDOW = 3000;
      const COUNT = 90;
      const emu = await emulator({ limits: writesPerTenant(LIMIT, WINDOW), retryAfterFormat: format });
      const { client, throttle } = emulatorClient(emu);
      const { ms, failed } = await patchMany(client, COUNT, 20);
      const stats = emu.stats();
      const [rate] = throttle?.stats()[0]?.rates ?? [];
      expect(failed).to.equal(0);
      expect(stats.applied).to.have.length(COUNT);
      // W from above (whole seconds may add up to one), and L in W, so no 429 after the first burst's.
      // (The margin over W is the burst's time on the network and in event loops, on a loaded box.)
      expect(rate?.windowMs).to.be.within(WINDOW, WINDOW + (format === "seconds" ? 1000 : 400));
      expect(((rate?.rate ?? 0) * (rate?.windowMs ?? 0)) / 1000).to.be.within(0.8 * LIMIT, LIMIT + 1e-6);
      expect(stats.throttled, `${stats.throttled} × 429`).to.be.at.most(10);
      // Bursts of L each window, not a one-second rate: the old one-second rate took 1.6× (whole
      // seconds) to 5× (fractional) the ideal here.
      const ideal = (COUNT / LIMIT - 1) * WINDOW;
      expect(ms / ideal, `${Math.round(ms)} ms for an ideal of ${ideal} ms`).to.be.below(1.4);
    });
  }
});
