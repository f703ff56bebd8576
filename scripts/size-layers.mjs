#!/usr/bin/env node
// Size by layer: where the bytes of the package's wasm go, from twiggy over the module as wasm-bindgen writes it
// (LTO build, names kept, before wasm-opt), grouped by the crate or module each function belongs to. Given a
// second module (a baseline build), prints both side by side with the difference.
//
//   node scripts/size-layers.mjs <module.wasm> [<baseline-module.wasm>] [--labels now,baseline]
//
// <module.wasm> is the cdylib cargo links (target/wasm32-unknown-unknown/release/deepgram_live_wasm_package.wasm);
// wasm-bindgen (the CLI setup.sh installs) and twiggy (setup.sh --bench) run on it here. A benchmark: it prints,
// never fails on a figure.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const args = process.argv.slice(2);
const labelsAt = args.indexOf("--labels");
const labels = labelsAt >= 0 ? args.splice(labelsAt, 2)[1].split(",") : ["now", "baseline"];
const modules = args;
if (modules.length === 0) {
  console.error("size-layers: give the linked module (target/wasm32-unknown-unknown/release/deepgram_live_wasm_package.wasm)");
  process.exit(2);
}

// First match wins; a function is named by its path (`crate::module::fn`, `<T as Trait>::fn`).
const LAYERS = [
  ["api (the JS classes)", /deepgram_live_wasm::api|^(transcriber|speaker|voicesession)_/],
  ["config (class option bags)", /deepgram_live_wasm::config/],
  ["stream (reconnect, playback bookkeeping)", /deepgram_live_wasm::stream/],
  ["protocol (sessions, options, messages)", /deepgram_live_wasm::protocol|deepgram_live_wasm::events/],
  ["web (web-sys shell)", /deepgram_live_wasm::web/],
  ["dsp", /deepgram_live_dsp/],
  ["serde-wasm-bindgen", /serde_wasm_bindgen/],
  ["serde", /serde_core|serde::|serde_derive/],
  ["serde_html_form (query string)", /serde_html_form|form_urlencoded|percent_encoding|zmij|itoa/],
  ["own JSON (baseline only)", /protocol::json/],
  ["gloo-timers", /gloo_timers/],
  ["wasm-bindgen, js-sys, web-sys", /wasm_bindgen|js_sys|web_sys|^__wbg|^__wbindgen/],
  ["allocator", /dlmalloc|__rust_(alloc|dealloc|realloc)|__rdl_/],
  ["core::fmt (incl. float formatting)", /core\[[0-9a-f]+\]::fmt|core::fmt|flt2dec|dragon|grisu|bignum|escape_debug/],
  ["core, alloc, std", /core\[|core::|alloc\[|alloc::|std\[|std::|hashbrown|compiler_builtins/],
];
// The own-JSON rule must win over "protocol" in the baseline: move it first.
LAYERS.unshift(LAYERS.splice(LAYERS.findIndex(([n]) => n.startsWith("own JSON")), 1)[0]);

function layerOf(name) {
  if (name.startsWith("custom section") || name.includes("subsection")) return null;
  if (name.startsWith("data segment")) return "data (strings, tables)";
  for (const [layer, re] of LAYERS) if (re.test(name)) return layer;
  return "other";
}

function analyse(module) {
  const out = mkdtempSync(path.join(tmpdir(), "size-layers-"));
  try {
    execFileSync("wasm-bindgen", ["--target", "web", "--out-dir", out, "--out-name", "m", module], { stdio: "pipe" });
    const wasm = path.join(out, "m_bg.wasm");
    const rows = JSON.parse(execFileSync("twiggy", ["top", "-n", "1000000", "--format", "json", wasm], {
      maxBuffer: 256 * 1024 * 1024,
    }).toString());
    const layers = new Map();
    let total = 0;
    for (const r of rows) {
      const layer = layerOf(r.name);
      if (!layer) continue;
      layers.set(layer, (layers.get(layer) || 0) + r.shallow_size);
      total += r.shallow_size;
    }
    return { layers, total };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const results = modules.map(analyse);
const names = [...new Set(results.flatMap((r) => [...r.layers.keys()]))]
  .sort((a, b) => (results[0].layers.get(b) || 0) - (results[0].layers.get(a) || 0));
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const width = Math.max(...names.map((n) => n.length), 10);
const cell = (s) => String(s).padStart(12);
console.log(`# wasm by layer: code and data bytes, before wasm-opt (twiggy; ${modules.length > 1 ? labels.join(" beside ") : labels[0]})`);
console.log("layer".padEnd(width) + results.map((_, i) => cell(labels[i])).join("") + (results.length > 1 ? cell("change") : ""));
for (const name of names) {
  const sizes = results.map((r) => r.layers.get(name) || 0);
  const share = sizes.map(kb);
  const change = results.length > 1 ? cell(`${sizes[0] >= sizes[1] ? "+" : "-"}${kb(Math.abs(sizes[0] - sizes[1]))}`) : "";
  console.log(name.padEnd(width) + share.map(cell).join("") + change);
}
console.log("total".padEnd(width) + results.map((r) => cell(kb(r.total))).join("") +
  (results.length > 1 ? cell(`${results[0].total >= results[1].total ? "+" : "-"}${kb(Math.abs(results[0].total - results[1].total))}`) : ""));
