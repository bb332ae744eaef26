import http from "node:http";
const s = http.createServer((req, res) => { let inF = ++cur; if (inF > max) max = inF; req.resume(); req.on("end", () => { res.end("{}"); cur--; }); });
let cur = 0, max = 0;
await new Promise(r => s.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${s.address().port}/`;
for (let k = 0; k < 3; k++) {
  let next = 0; const N = 2000, C = 200; const t0 = performance.now();
  await Promise.all(Array.from({ length: C }, async () => { while (next < N) { next++; const r = await fetch(url, { method: "PATCH", body: "{}" }); await r.text(); } }));
  console.log("baseline", (performance.now() - t0).toFixed(0), "ms max", max);
}
s.close(); s.closeAllConnections();
