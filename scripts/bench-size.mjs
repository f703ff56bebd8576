#!/usr/bin/env node
// Size benchmark: what an app downloads for deepgram-live-wasm (the built pkg/: the .wasm, the JS glue, the
// worklet files under snippets/), raw and gzip -9, beside the official @deepgram/sdk's browser bundle measured the
// same way (an entry importing the client used for live listen/speak, bundled and minified by esbuild, then
// gzip -9). Prints one table and whether the target (ours ≤ 40 KB gzipped in total) is met; never fails on it:
// it is a benchmark, not a test. Needs pkg/ (scripts/build-pkg.sh) and the npm dev tools (esbuild, @deepgram/sdk).
//
//   node scripts/bench-size.mjs [pkg-dir]
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const PKG = path.resolve(process.argv[2] || path.join(ROOT, "pkg"));
const TARGET_GZIP_BYTES = 40 * 1024;
const require = createRequire(path.join(ROOT, "package.json"));

const gzip9 = (bytes) => gzipSync(bytes, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

/** Every file under `dir`, relative paths. */
function walk(dir, base = dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full, base) : [path.relative(base, full)];
  });
}

function row(label, bytes) {
  return { label, raw: bytes.length, gzip: gzip9(bytes) };
}

if (!existsSync(path.join(PKG, "deepgram_live_wasm_bg.wasm"))) {
  console.error(`bench-size: expected a built package in ${PKG} (deepgram_live_wasm_bg.wasm is missing): run scripts/build-pkg.sh`);
  process.exit(1);
}

// Ours, as shipped: each file is downloaded (and compressed by the server) on its own.
const ours = [
  row("deepgram_live_wasm_bg.wasm", readFileSync(path.join(PKG, "deepgram_live_wasm_bg.wasm"))),
  row("deepgram_live_wasm.js (glue)", readFileSync(path.join(PKG, "deepgram_live_wasm.js"))),
  // The entry point (the engine check in front of the glue), in packages since it was added.
  ...(existsSync(path.join(PKG, "index.js")) ? [row("index.js (entry)", readFileSync(path.join(PKG, "index.js")))] : []),
  ...walk(path.join(PKG, "snippets"))
    .filter((f) => f.endsWith(".js"))
    .sort()
    .map((f) => row(`snippets/…/${path.basename(f)}`, readFileSync(path.join(PKG, "snippets", f)))),
];
const oursTotal = { label: "deepgram-live-wasm total", raw: 0, gzip: 0 };
for (const r of ours) {
  oursTotal.raw += r.raw;
  oursTotal.gzip += r.gzip;
}

// The same JS glue after an app's bundler minifies it: the bundle also holds main-thread.js and the processor
// modules' main-thread side (the glue imports their names); the .wasm and the worklet files are still fetched
// as they are.
const esbuild = require("esbuild");
async function bundle(contents) {
  const result = await esbuild.build({
    stdin: { contents, resolveDir: ROOT, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    write: false,
    logLevel: "silent",
    // The wasm-bindgen glue and the worklet URLs use `new URL(..., import.meta.url)`: esbuild leaves them alone.
    external: ["*.wasm"],
  });
  return Buffer.from(result.outputFiles[0].contents);
}
const entry = existsSync(path.join(PKG, "index.js")) ? "index.js" : "deepgram_live_wasm.js";
const glueMin = row("glue bundled by esbuild (minified, with snippets)", await bundle(
  `export { default, Transcriber, Speaker, VoiceSession } from ${JSON.stringify(path.join(PKG, entry))};`));

// @deepgram/sdk: DeepgramClient is what 5.x exports for live listen (listen.v1.connect) and speak (speak.v1.connect).
const sdkVersion = require("@deepgram/sdk/package.json").version;
const sdkExports = Object.keys(await import(require.resolve("@deepgram/sdk")));
if (!sdkExports.includes("DeepgramClient")) {
  console.error(`bench-size: @deepgram/sdk ${sdkVersion} does not export DeepgramClient (exports: ${sdkExports.slice(0, 20).join(", ")}...)`);
  process.exit(1);
}
const sdk = row(`@deepgram/sdk ${sdkVersion} { DeepgramClient }, esbuild-minified`, await bundle(
  `import { DeepgramClient } from "@deepgram/sdk"; globalThis.DeepgramClient = DeepgramClient;`));

const rows = [...ours, oursTotal, glueMin, sdk];
const width = Math.max(...rows.map((r) => r.label.length));
const line = (label, raw, gz) => `${label.padEnd(width)}  ${raw.padStart(10)}  ${gz.padStart(12)}`;
console.log(`# shipped size (raw and gzip -9), ${path.relative(ROOT, PKG) || PKG}`);
console.log(line("file", "raw", "gzip -9"));
console.log(line("-".repeat(width), "-".repeat(10), "-".repeat(12)));
for (const r of ours) console.log(line(r.label, kb(r.raw), kb(r.gzip)));
console.log(line(oursTotal.label, kb(oursTotal.raw), kb(oursTotal.gzip)));
console.log(line(glueMin.label, kb(glueMin.raw), kb(glueMin.gzip)));
console.log(line(sdk.label, kb(sdk.raw), kb(sdk.gzip)));
const minTotal = oursTotal.gzip - ours[1].gzip - ours.filter((r) => r.label.includes("main-thread")).reduce((s, r) => s + r.gzip, 0) + glueMin.gzip;
console.log(line("deepgram-live-wasm total, glue bundled and minified", "", kb(minTotal)));
const met = oursTotal.gzip <= TARGET_GZIP_BYTES;
console.log(`target: deepgram-live-wasm ≤ ${kb(TARGET_GZIP_BYTES)} gzipped in total: ${met ? "met" : "NOT met"} ` +
  `(${kb(oursTotal.gzip)}, ${(oursTotal.gzip / sdk.gzip).toFixed(2)}× the SDK's client bundle, which captures and plays no audio)`);
