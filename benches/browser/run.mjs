// `make bench`, browser half: builds nothing (scripts/bench.sh builds the bench package and the server, and sets
// up Firefox's and WebKit's microphone and display), serves benches/browser/ with the bench package, and runs the
// same measurements in each engine: Debian's Chromium through playwright-core, Firefox ESR and WebKitGTK over
// WebDriver (tests/e2e/webdriver.mjs). Prints each figure with the engines side by side, beside its target.
//   BENCH_ENGINES  engines to measure (default "chrome firefox webkit")
//   BENCH_SOAK_S   length of the speak/clear heap soak in seconds, Chromium only (performance.memory; default
//                  600, the 10 minutes; 0 skips it)
//   BENCH_CYCLES   speak/clear cycles for the latency figures (default 54)
import { cpSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { ROOT, TARGET, fakeMicWav, launchChromium, percentile, startServer, watchErrors } from "../../tests/e2e/lib.mjs";
import { launchWebDriver } from "../../tests/e2e/webdriver.mjs";

const engines = (process.env.BENCH_ENGINES || "chrome firefox webkit").split(/\s+/).filter(Boolean);
const soakSeconds = Number(process.env.BENCH_SOAK_S || 600);
const cycles = Number(process.env.BENCH_CYCLES || 54);
const pkg = path.join(TARGET, "bench-pkg");
const www = path.join(TARGET, "bench-www");
rmSync(www, { recursive: true, force: true });
mkdirSync(www, { recursive: true });
cpSync(path.join(ROOT, "benches/browser"), www, { recursive: true });

const fmt = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : "n/a");
const row = (cells, widths) => cells.map((c, i) => String(c).padEnd(widths[i] ?? 12)).join(" ");

/** One engine's page on the bench: {evaluate(fn, arg), errors(), close()}. */
async function open(engine, url) {
  if (engine === "chrome") {
    const browser = await launchChromium({
      micWav: fakeMicWav({ rate: 48000 }),
      // Exact heap figures (Chrome rounds performance.memory otherwise) and gc() before each reading.
      extraArgs: ["--enable-precise-memory-info", "--js-flags=--expose-gc"],
    });
    const page = await (await browser.newContext()).newPage();
    const errors = watchErrors(page);
    await page.goto(url);
    await page.waitForFunction(() => window.benchReady === true, null, { timeout: 30000 });
    return { evaluate: (fn, arg) => page.evaluate(fn, arg), errors: async () => errors, close: () => browser.close() };
  }
  const page = await launchWebDriver(engine);
  await page.goto(url);
  const end = Date.now() + 30000;
  while (!(await page.evaluate(() => window.benchReady === true))) {
    if (Date.now() > end) throw new Error(`${engine}: the bench page did not get ready within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { evaluate: page.evaluate, errors: async () => [], close: page.close };
}

const figures = {}; // engine -> {name -> value}
let failed = false;
const server = await startServer(["--open", "--www", www, "--pkg", pkg, "--idle-timeout-ms", "20000"]);
try {
  for (const engine of engines) {
    const f = (figures[engine] = {});
    let page;
    try {
      page = await open(engine, `${server.url}/`);
      for (const [i, o] of [[48000, 16000], [44100, 16000]]) {
        f[`resample ${i / 1000}k -> ${o / 1000}k polyphase`] = await page.evaluate(([i, o]) => window.bench.resampleSpeed("polyphase", i, o), [i, o]);
        f[`resample ${i / 1000}k -> ${o / 1000}k linear`] = await page.evaluate(([i, o]) => window.bench.resampleSpeed("linear", i, o), [i, o]);
      }
      for (const frameMs of [20, 10]) {
        // Chromium's file capture follows the context rate asked for; Firefox and WebKit capture at their own.
        const l = await page.evaluate((a) => window.bench.captureToSend(10, a[0], a[1]), [frameMs, engine === "chrome" ? 48000 : null]);
        if (!l) throw new Error("the Transcriber reported no capture -> send figures");
        f[`capture ${frameMs} ms`] = l;
      }
      f.speakClear = await page.evaluate((n) => window.bench.speakClearCycles(n), cycles);
      if (engine === "chrome" && soakSeconds > 0) f.soak = await page.evaluate((sec) => window.bench.soak(sec), soakSeconds);
      const errors = await page.errors();
      if (errors.length) throw new Error(`page errors:\n  ${errors.join("\n  ")}`);
    } catch (e) {
      console.error(`browser bench failed in ${engine}: ${e.stack || e}`);
      f.failed = String(e.message || e);
      failed = true;
    } finally {
      await page?.close().catch(() => {});
    }
  }
} finally {
  await server.stop();
}

const w = [34, ...engines.map(() => 16), 26];
const header = (first, last) => console.log(row([first, ...engines, last], w));
/** One figure's row: `pick` reads it from an engine's figures; `digits` after the point (counts: 0). */
const line = (name, pick, target, digits = 1) => console.log(row([name, ...engines.map((e) => {
  const v = figures[e].failed ? NaN : pick(figures[e]);
  return Number.isFinite(v) ? fmt(v, digits) : "n/a";
}), target], w));

console.log("== resampler speed in each engine's wasm (fixed workload: 128-frame blocks + PCM16), ns per input sample");
header("conversion", "target");
for (const [i, o] of [[48000, 16000], [44100, 16000]]) {
  for (const kind of ["polyphase", "linear"]) {
    const name = `resample ${i / 1000}k -> ${o / 1000}k ${kind}`;
    line(name, (f) => f[name], kind === "polyphase" ? "<= 25" : "(baseline)", 2);
  }
}

console.log("\n== capture -> WebSocket.send(), 10 s of microphone per frame size (Chromium: 48 kHz context; Firefox and WebKit: their own rate)");
header("figure (ms)", "target");
for (const frameMs of [20, 10]) {
  const k = `capture ${frameMs} ms`;
  line(`${frameMs} ms frames: count`, (f) => f[k]?.count, "", 0);
  line(`${frameMs} ms frames: p50`, (f) => f[k]?.p50, "");
  line(`${frameMs} ms frames: p99`, (f) => f[k]?.p99, frameMs === 20 ? "p99 <= 30" : "");
  line(`${frameMs} ms frames: max`, (f) => f[k]?.max, "");
}

console.log(`\n== speak / clear, ${cycles} cycles (24 kHz linear16 -> 48 kHz context, pre-roll 60 ms, clear fade 3 ms), ms`);
header("figure", "target");
const sc = (key, p) => (f) => (f.speakClear ? (p === "max" ? Math.max(...f.speakClear[key]) : percentile(f.speakClear[key], p)) : NaN);
for (const [key, label, target] of [
  ["clearMs", "clear -> silent (wall)", "p99 <= 10 + 2.7 (quantum)"],
  ["clearCtxMs", "clear -> silent (audio clock)", "p99 <= 10 + 2.7 (quantum)"],
  ["firstAudio", "first audio -> out", "p99 <= 60 + 5 (pre-roll)"],
]) {
  line(`${label} p50`, sc(key, 50), "");
  line(`${label} p99`, sc(key, 99), target);
  line(`${label} max`, sc(key, "max"), "");
}
line("stale samples after a clear", (f) => f.speakClear?.stale, "0", 0);
line("clears checked for stale samples", (f) => f.speakClear?.windows, "", 0);

const s = figures.chrome?.soak;
if (s) {
  const mb = (b) => fmt(b / 1048576, 2);
  console.log(`\n== heap over a ${soakSeconds} s speak/clear loop in Chromium (BENCH_SOAK_S; performance.memory is Chromium's)`);
  console.log(`cycles ${s.cycles}; JS heap ${mb(s.before.js)} -> ${mb(s.after.js)} MB (growth ${mb(s.after.js - s.before.js)}); ` +
    `wasm memory ${mb(s.before.wasm)} -> ${mb(s.after.wasm)} MB (growth ${mb(s.after.wasm - s.before.wasm)}); target growth <= 1 MB`);
}
for (const e of engines) if (figures[e].failed) console.log(`\n${e}: FAILED: ${figures[e].failed}`);
process.exit(failed ? 1 : 0);
