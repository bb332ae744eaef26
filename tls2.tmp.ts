import tls from "node:tls";
import { startGraphEmulator } from "./lib/testing/index.js";
const emu = await startGraphEmulator({ limits: false });
const ctx = tls.createSecureContext({ ca: emu.ca });
for (const mode of ["ca", "ctx", "ca", "ctx"]) {
  const t0 = performance.now();
  const socks = await Promise.all(Array.from({ length: 200 }, () => new Promise<tls.TLSSocket>((res, rej) => { const s = tls.connect(mode === "ca" ? { host: "127.0.0.1", port: emu.port, ca: emu.ca } : { host: "127.0.0.1", port: emu.port, secureContext: ctx }, () => res(s)); s.on("error", rej); })));
  console.log(mode, "200 handshakes ms", (performance.now() - t0).toFixed(0));
  socks.forEach(s => s.destroy());
}
await emu.close();
