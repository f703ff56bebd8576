// Shortens the names the package's wasm imports from its JS glue, in both files (run by build-pkg.sh after
// wasm-opt, before the glue is minified).
//
// wasm-bindgen names each import after its Rust path plus a 16-hex-digit hash (`__wbg_close_5f1c…`) and imports
// all of them from the module "./deepgram_live_wasm_bg.js": about 140 names that appear in the wasm's import
// section and again as keys of the glue's import object, and that no gzip can shrink (the hashes are random).
// Renamed to `a`, `b`, … and module `"a"`, the package is ~4 KB gzipped smaller. Exports keep their names (the
// glue calls them by name), except the closure shims wasm-bindgen also names with a hash
// (`wasm_bindgen__convert__closures_____invoke__h…`), which become `invoke0`, `invoke1`, … in both files. Both files
// are checked: every renamed import must be exactly one key of the glue's import object, or nothing is written.
//
// Usage: node scripts/shorten-imports.mjs pkg/deepgram_live_wasm_bg.wasm pkg/deepgram_live_wasm.js
import { readFileSync, writeFileSync } from "node:fs";

const GLUE_MODULE = "./deepgram_live_wasm_bg.js";
const SHORT_MODULE = "a";

const [wasmPath, gluePath] = process.argv.slice(2);
if (!wasmPath || !gluePath) {
  console.error("usage: shorten-imports.mjs <module.wasm> <glue.js>");
  process.exit(2);
}

function fail(message) {
  console.error(`shorten-imports: ${message}`);
  process.exit(1);
}

/** A cursor over the module's bytes. */
class Reader {
  constructor(bytes, pos = 0) {
    this.bytes = bytes;
    this.pos = pos;
  }
  byte() {
    if (this.pos >= this.bytes.length) fail("unexpected end of the module");
    return this.bytes[this.pos++];
  }
  u32() {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      shift += 7;
      if (shift > 28) fail("LEB128 integer too long");
    }
  }
  name() {
    const len = this.u32();
    const start = this.pos;
    this.pos += len;
    if (this.pos > this.bytes.length) fail("a name runs past the end of the module");
    return Buffer.from(this.bytes.subarray(start, this.pos)).toString("utf8");
  }
  limits() {
    const flags = this.byte();
    if (flags > 0x07) fail(`unknown limits flags 0x${flags.toString(16)}`);
    this.u32();
    if (flags & 1) this.u32();
  }
}

function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

function nameBytes(s) {
  const b = Buffer.from(s, "utf8");
  return Buffer.concat([leb(b.length), b]);
}

/** `a`, `b`, … `Z`, `aa`, `ab`, …: short, unique, valid JS identifiers. */
function shortName(i) {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let s = "";
  do {
    s = letters[i % letters.length] + s;
    i = Math.floor(i / letters.length) - 1;
  } while (i >= 0);
  return s;
}

const wasm = readFileSync(wasmPath);
if (wasm.readUInt32LE(0) !== 0x6d736100 || wasm.readUInt32LE(4) !== 1) fail(`${wasmPath} is not a wasm module`);

// Find the import (id 2) and export (id 7) sections.
const sections = new Reader(wasm, 8);
const found = new Map();
while (sections.pos < wasm.length) {
  const start = sections.pos;
  const id = sections.byte();
  const size = sections.u32();
  const body = sections.pos;
  sections.pos += size;
  found.set(id, { start, body, end: sections.pos });
}
const importSection = found.get(2);
const exportSection = found.get(7);
if (!importSection) fail("the module has no import section");
if (!exportSection) fail("the module has no export section");

// Re-encode it with the new names; every import descriptor is copied byte for byte.
const r = new Reader(wasm, importSection.body);
const count = r.u32();
const parts = [leb(count)];
const renames = new Map();
for (let i = 0; i < count; i++) {
  const module = r.name();
  const field = r.name();
  const descStart = r.pos;
  const kind = r.byte();
  switch (kind) {
    case 0x00: r.u32(); break; // function: type index
    case 0x01: r.byte(); r.limits(); break; // table: reftype, limits
    case 0x02: r.limits(); break; // memory
    case 0x03: r.byte(); r.byte(); break; // global: valtype, mutability
    case 0x04: r.byte(); r.u32(); break; // tag: attribute, type index
    default: fail(`unknown import kind 0x${kind.toString(16)} for ${module}.${field}`);
  }
  const desc = wasm.subarray(descStart, r.pos);
  if (module === GLUE_MODULE) {
    if (!renames.has(field)) renames.set(field, shortName(renames.size));
    parts.push(nameBytes(SHORT_MODULE), nameBytes(renames.get(field)), desc);
  } else {
    parts.push(nameBytes(module), nameBytes(field), desc);
  }
}
if (r.pos !== importSection.end) fail("the import section has trailing bytes");
if (renames.size === 0) fail(`no import from "${GLUE_MODULE}": nothing to shorten (wrong file?)`);
const payload = Buffer.concat(parts);

// The export section: only the hashed closure shims are renamed; an export is a name, a kind byte and an index.
const SHIM = /^wasm_bindgen__convert__closures_____invoke__h[0-9a-f]{16}$/;
const e = new Reader(wasm, exportSection.body);
const exportCount = e.u32();
const exportParts = [leb(exportCount)];
const shims = new Map();
for (let i = 0; i < exportCount; i++) {
  const field = e.name();
  const descStart = e.pos;
  e.byte();
  e.u32();
  const desc = wasm.subarray(descStart, e.pos);
  if (SHIM.test(field)) shims.set(field, `invoke${shims.size}`);
  exportParts.push(nameBytes(shims.get(field) ?? field), desc);
}
if (e.pos !== exportSection.end) fail("the export section has trailing bytes");
const exportPayload = Buffer.concat(exportParts);

// Sections appear in id order, so the import section (2) comes before the export section (7).
const out = Buffer.concat([
  wasm.subarray(0, importSection.start),
  Buffer.from([2]),
  leb(payload.length),
  payload,
  wasm.subarray(importSection.end, exportSection.start),
  Buffer.from([7]),
  leb(exportPayload.length),
  exportPayload,
  wasm.subarray(exportSection.end),
]);

// The glue: each import is one `name: function(` key of the import object, and the object is returned under the
// module's name.
let glue = readFileSync(gluePath, "utf8");
for (const [from, to] of renames) {
  const key = new RegExp(`(^|[\\s,{])${from}: function\\(`, "g");
  const hits = glue.match(key)?.length ?? 0;
  if (hits !== 1) fail(`expected the glue to define import ${from} once, found ${hits}`);
  glue = glue.replace(key, (_, before) => `${before}${to}: function(`);
}
const moduleKey = `${JSON.stringify(GLUE_MODULE)}: import0`;
if (glue.split(moduleKey).length !== 2) fail(`expected the glue to name the import module once (${moduleKey})`);
glue = glue.replace(moduleKey, `${JSON.stringify(SHORT_MODULE)}: import0`);
for (const from of renames.keys()) {
  if (glue.includes(from)) fail(`the glue still mentions ${from} after renaming`);
}
// A shim's name is both the export the glue calls (`wasm.<name>(`) and the glue's own wrapper function: both go.
for (const [from, to] of shims) {
  if (!glue.includes(`wasm.${from}(`)) fail(`expected the glue to call the export ${from}`);
  if (new RegExp(`\\b${to}\\b`).test(glue)) fail(`the glue already uses the name ${to}`);
  glue = glue.split(from).join(to);
}
if (glue.includes("wasm_bindgen__convert__closures_____invoke__h")) fail("the glue names a closure shim the module does not export");

writeFileSync(wasmPath, out);
writeFileSync(gluePath, glue);
console.log(`shorten-imports: ${renames.size} imports and ${shims.size} closure shims renamed; wasm ${wasm.length} -> ${out.length} bytes`);
