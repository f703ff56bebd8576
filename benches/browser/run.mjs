// `make bench`, browser half: builds nothing (scripts/bench.sh builds the bench package and the server), serves
// benches/browser/ with the bench package, drives Debian's Chromium and prints the figures beside their targets.
//   BENCH_SOAK_S   length of the speak/clear heap soak in seconds (default 600, the 10 minutes)
//   BENCH_CYCLES   speak/clear cycles for the latency figures (default 54)
import { cpSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { ROOT, TARGET, fakeMicWav, launchChromium, percentile, startServer, watchErrors } from "../../tests/e2e/lib.mjs";

const soakSeconds = Number(process.env.BENCH_SOAK_S || 600);
const cycles = Number(process.env.BENCH_CYCLES || 54);
const pkg = path.join(TARGET, "bench-pkg");
const www = path.join(TARGET, "bench-www");
rmSync(www, { recursive: true, force: true });
mkdirSync(www, { recursive: true });
cpSync(path.join(ROOT, "benches/browser"), www, { recursive: true });

const fmt = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
const row = (cells, widths) => cells.map((c, i) => String(c).padEnd(widths[i])).join(" ");

const server = await startServer(["--open", "--www", www, "--pkg", pkg, "--idle-timeout-ms", "20000"]);
const browser = await launchChromium({
  micWav: fakeMicWav({ rate: 48000 }),
  // Exact heap figures (Chrome rounds performance.memory otherwise) and gc() before each reading.
  extraArgs: ["--enable-precise-memory-info", "--js-flags=--expose-gc"],
});
let failed = false;
try {
  const page = await (await browser.newContext()).newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}/`);
  await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 });

  console.log("== resampler speed in Chromium's wasm (fixed workload: 128-frame blocks + PCM16), ns per input sample");
  const w = [16, 14, 14, 12];
  console.log(row(["conversion", "polyphase", "linear", "target"], w));
  for (const [i, o] of [[48000, 16000], [44100, 16000]]) {
    const poly = await page.evaluate(([i, o]) => window.bench.resampleSpeed("polyphase", i, o), [i, o]);
    const lin = await page.evaluate(([i, o]) => window.bench.resampleSpeed("linear", i, o), [i, o]);
    console.log(row([`${i / 1000}k -> ${o / 1000}k`, fmt(poly, 2), fmt(lin, 2), "<= 25"], w));
  }

  console.log("\n== capture -> WebSocket.send() in headless Chromium (fake microphone, 48 kHz context, 10 s)");
  console.log(row(["frame", "frames", "p50 ms", "p99 ms", "max ms", "target p99"], [8, 8, 8, 8, 8, 10]));
  for (const frameMs of [20, 10]) {
    const l = await page.evaluate((f) => window.bench.captureToSend(10, f, 48000), frameMs);
    if (!l) throw new Error("the Transcriber reported no capture -> send figures");
    console.log(row([`${frameMs} ms`, l.count, fmt(l.p50), fmt(l.p99), fmt(l.max), frameMs === 20 ? "<= 30" : ""], [8, 8, 8, 8, 8, 10]));
  }

  console.log(`\n== speak / clear, ${cycles} cycles (24 kHz linear16 -> 48 kHz context, pre-roll 60 ms, clear fade 3 ms)`);
  const c = await page.evaluate((n) => window.bench.speakClearCycles(n), cycles);
  const q = [22, 8, 8, 8, 26];
  console.log(row(["figure", "p50 ms", "p99 ms", "max ms", "target"], q));
  const line = (name, xs, target) =>
    console.log(row([name, fmt(percentile(xs, 50)), fmt(percentile(xs, 99)), fmt(Math.max(...xs)), target], q));
  line("clear -> silent (wall)", c.clearMs, "p99 <= 10 + 2.7 (quantum)");
  line("clear -> silent (ctx)", c.clearCtxMs, "p99 <= 10 + 2.7 (quantum)");
  line("first audio -> out", c.firstAudio, "p99 <= 60 + 5 (pre-roll)");
  console.log(`stale samples after a clear: ${c.stale} over ${c.windows} clears (target 0)`);

  if (soakSeconds > 0) {
    console.log(`\n== heap over a ${soakSeconds} s speak/clear loop (BENCH_SOAK_S)`);
    const s = await page.evaluate((sec) => window.bench.soak(sec), soakSeconds);
    const mb = (b) => fmt(b / 1048576, 2);
    console.log(`cycles ${s.cycles}; JS heap ${mb(s.before.js)} -> ${mb(s.after.js)} MB (growth ${mb(s.after.js - s.before.js)}); ` +
      `wasm memory ${mb(s.before.wasm)} -> ${mb(s.after.wasm)} MB (growth ${mb(s.after.wasm - s.before.wasm)}); target growth <= 1 MB`);
  }
  if (errors.length) {
    console.log(`page errors:\n  ${errors.join("\n  ")}`);
    failed = true;
  }
} catch (e) {
  console.error(`browser bench failed: ${e.stack || e}`);
  failed = true;
} finally {
  await browser.close();
  await server.stop();
}
process.exit(failed ? 1 : 0);
