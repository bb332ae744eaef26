import { expect } from "chai";
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { DEFAULT_EXPOSED_HEADERS } from "../lib/testing/cors.js";
import { createTestToken, startGraphEmulator, type EmulatorLimit, type GraphEmulator, type GraphEmulatorOptions } from "../lib/testing/index.js";
import type { ScenarioInput, ScenarioName, ScenarioResult, scenarios } from "./support/browserScenarios.js";

const root = fileURLToPath(new URL("..", import.meta.url));
/** Debian's Chromium (`.ci/run` installs it); Playwright never downloads a browser of its own here. */
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const TENANT = "contoso";
/** 5 writes per 300 ms per tenant: a burst of 15 concurrent updates is throttled for about a second. */
const WRITE_LIMIT: EmulatorLimit = { name: "writes", requests: "write", scope: "tenant", limit: 5, windowMs: 300 };
const WRITES = 15;
/** The throttle step's cooldown after a 429 with no readable Retry-After. */
const DEFAULT_COOLDOWN_MS = 100;
/** Generous: the throttled runs take about a second; this only catches a run that stalls. */
const RUN_BOUND_MS = 15_000;

/** Serves the page and the bundle from its own origin (another port than the emulator's). */
async function servePage(bundle: string): Promise<{ url: string; server: Server }> {
  const html = '<!doctype html><meta charset="utf-8"><title>browser spec</title><script type="module" src="/scenarios.js"></script>';
  const server = createServer((req, res) => {
    if (req.url === "/scenarios.js") res.writeHead(200, { "Content-Type": "text/javascript" }).end(bundle);
    else if (req.url === "/") res.writeHead(200, { "Content-Type": "text/html" }).end(html);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe("browser (headless Chromium, cross-origin, against the emulator over HTTP)", function () {
  this.timeout(30_000);
  let browser: Browser | undefined;
  let page: Page;
  let pageServer: Server | undefined;
  let pageUrl: string;
  const consoleLines: string[] = [];
  const emulators: GraphEmulator[] = [];
  const token = createTestToken({ tenantId: TENANT, appId: "browser-app" });

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      const message = `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser tests`;
      if (process.env.CI) throw new Error(`${message}; CI must have it (.ci/run installs it)`);
      console.warn(`      skipped: ${message}`);
      this.skip();
    }
    // The package's root entry, resolved by name through `exports` as an app's bundler does.
    const result = await build({
      entryPoints: ["spec/support/browserScenarios.ts"],
      absWorkingDir: root,
      bundle: true,
      write: false,
      platform: "browser",
      format: "esm",
      target: "es2022",
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((path) => /(^|\/)dist\/esm\/index\.js$/.test(path)), "bundles the root entry").to.equal(true);
    expect(inputs.filter((path) => /node-fetch|lib\/testing|dist\/esm\/testing/.test(path))).to.deep.equal([]);
    const served = await servePage(result.outputFiles[0]?.text ?? "");
    pageServer = served.server;
    pageUrl = served.url;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => (pageServer === undefined ? resolve(undefined) : pageServer.close(resolve)));
  });

  beforeEach(async () => {
    consoleLines.length = 0;
    page = await (browser as Browser).newPage();
    page.on("console", (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    page.on("pageerror", (error) => consoleLines.push(`pageerror: ${error.message}`));
    await page.goto(pageUrl);
    await page.waitForFunction(() => "scenarios" in globalThis);
  });

  afterEach(async function () {
    if (this.currentTest?.state === "failed") console.log(consoleLines.join("\n"));
    await page.close();
    await Promise.all(emulators.splice(0).map((emu) => emu.close()));
  });

  async function emulator(options: GraphEmulatorOptions): Promise<GraphEmulator> {
    const emu = await startGraphEmulator({ protocol: "http", ...options });
    emulators.push(emu);
    expect(new URL(emu.url).origin).to.not.equal(new URL(pageUrl).origin);
    return emu;
  }

  function run(name: ScenarioName, emu: GraphEmulator): Promise<ScenarioResult> {
    const input: ScenarioInput = { baseUrl: emu.url, host: emu.host, token, writes: WRITES, defaultCooldownMs: DEFAULT_COOLDOWN_MS };
    return page.evaluate(
      ([scenario, arg]) => (globalThis as unknown as { scenarios: typeof scenarios }).scenarios[scenario](arg),
      [name, input] as const,
    );
  }

  it("updates and reads the summary through the root bundle", async () => {
    const emu = await emulator({ limits: false });
    const result = await run("updateAndGet", emu);
    expect(result.read).to.deep.equal({ displayName: "Ring 1", compliantDeviceCount: 4 });
    expect(emu.entity(TENANT)).to.include({ displayName: "Ring 1", compliantDeviceCount: 4 });
    expect(emu.stats().applied).to.have.length(1);
    expect(result.retries).to.deep.equal([]);
  });

  it("finishes a throttled run with no failure, waiting out the Retry-After it can read", async () => {
    const emu = await emulator({
      limits: [WRITE_LIMIT],
      retryAfterFormat: "fractional-seconds",
      cors: { exposeHeaders: [...DEFAULT_EXPOSED_HEADERS, "Retry-After"] },
    });
    const result = await run("throttledRun", emu);
    expect(result.failures).to.deep.equal([]);
    expect(result.ok).to.equal(WRITES);
    expect(emu.stats().applied).to.have.length(WRITES);
    expect(emu.stats().throttled).to.be.greaterThan(0);
    const on429 = result.retries.filter((retry) => retry.status === 429);
    expect(on429.length).to.be.greaterThan(0);
    expect(on429.map((retry) => retry.delaySource)).to.satisfy((sources: string[]) => sources.every((s) => s === "retry-after"));
    expect(result.elapsedMs).to.be.lessThan(RUN_BOUND_MS);
  });

  it("finishes a throttled run with no failure when Retry-After is hidden (Graph's CORS), backing off instead", async () => {
    const emu = await emulator({ limits: [WRITE_LIMIT], retryAfterFormat: "fractional-seconds" });
    const result = await run("throttledRun", emu);
    expect(result.failures).to.deep.equal([]);
    expect(result.ok).to.equal(WRITES);
    expect(emu.stats().applied).to.have.length(WRITES);
    expect(emu.stats().throttled).to.be.greaterThan(0);
    const on429 = result.retries.filter((retry) => retry.status === 429);
    expect(on429.length).to.be.greaterThan(0);
    expect(on429.map((retry) => retry.delaySource)).to.satisfy((sources: string[]) => sources.every((s) => s === "backoff"));
    // The throttle step still cooled the tenant down after those 429s, for its defaultCooldownMs.
    expect(result.cooldownWaitsMs.length).to.be.greaterThan(0);
    expect(Math.max(...result.cooldownWaitsMs)).to.be.at.most(DEFAULT_COOLDOWN_MS);
    expect(result.elapsedMs).to.be.lessThan(RUN_BOUND_MS);
  });

  it("reports a CORS refusal as a cors-or-network GraphNetworkError after one retry", async () => {
    const emu = await emulator({ limits: false, cors: false });
    const result = await run("refused", emu);
    expect(result.error).to.include({ isNetworkError: true, kind: "cors-or-network", attempts: 2 });
    expect(result.error?.message).to.match(/CORS/).and.match(/unreachable/);
    expect(result.error?.causeMessage).to.match(/^TypeError: Failed to fetch/);
    expect(result.retries).to.have.length(1);
    // Each attempt was a preflight the emulator did not allow; nothing reached the entity.
    expect(emu.stats()).to.deep.include({ requests: 2, byStatus: { 401: 2 } });
    expect(emu.stats().applied).to.deep.equal([]);
  });
});
