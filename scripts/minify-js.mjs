// Minifies the package's shipped JS in place (run by build-pkg.sh): the wasm-bindgen glue and the worklet
// modules, what an app's bundler would do anyway and what a page without a bundler now gets.
//
// Identifiers are minified, which would leave the exported classes named `h`, `m`... (`console.log` shows the
// class name): their `name` is set back after minifying (esbuild's --keep-names would do it too, but by wrapping
// every function of the glue, +0.7 KB gzipped). The worklet modules' register functions must stay
// self-contained: the Blob fallback rebuilds each module from that function's source text alone
// (tests/e2e/demo.test.mjs loads the packaged worklets that way).
//
// Each class defines its own `free()` (src/api: it closes the object and makes later calls throw a typed `state`
// error). wasm-bindgen still writes its generated `free()` first in the class body, dead code that every bundler
// warns about ("Duplicate member"): it is removed before minifying, exactly one per class.
//
// Usage: node scripts/minify-js.mjs <glue.js> <module.js>...
import { readFileSync, writeFileSync } from "node:fs";
import { transformSync } from "esbuild";

const [glue, ...others] = process.argv.slice(2);
if (!glue) {
  console.error("usage: minify-js.mjs <glue.js> <worklet.js>...");
  process.exit(2);
}

function minify(file, source = readFileSync(file, "utf8")) {
  const { code, warnings } = transformSync(source, { minify: true, format: "esm", sourcefile: file });
  for (const w of warnings) console.error(`minify-js: ${file}: ${w.text}`);
  return code;
}

const generatedFree =
  /^ *free\(\) \{\n *const ptr = this\.__destroy_into_raw\(\);\n *wasm\.__wbg_\w+_free\(ptr, 0\);\n *\}\n/gm;
const source = readFileSync(glue, "utf8");
const frees = source.match(generatedFree) ?? [];
if (frees.length !== 3) {
  console.error(`minify-js: ${glue}: expected wasm-bindgen's generated free() in 3 classes, found ${frees.length}`);
  process.exit(1);
}

// The glue: esbuild ends an ES module with one `export{x as Name,...}`; classes are the capitalised exports.
let code = minify(glue, source.replace(generatedFree, ""));
const exports = /export\s*\{([^}]*)\}\s*;?\s*$/.exec(code);
if (!exports) {
  console.error(`minify-js: ${glue}: no export clause at the end of the minified glue`);
  process.exit(1);
}
const named = [];
for (const item of exports[1].split(",")) {
  const m = /^\s*([\w$]+)\s+as\s+([A-Z]\w*)\s*$/.exec(item);
  if (m && m[1] !== m[2]) named.push(`Object.defineProperty(${m[1]},"name",{value:"${m[2]}"});`);
}
for (const cls of ["Transcriber", "Speaker", "VoiceSession"]) {
  if (!new RegExp(`\\b(as\\s+)?${cls}\\b`).test(exports[1])) {
    console.error(`minify-js: ${glue}: the class ${cls} is not exported`);
    process.exit(1);
  }
}
code = code.slice(0, exports.index) + named.join("") + code.slice(exports.index);
// Deno reads the glue's types from this pragma (minifying drops comments): point it at index.d.ts.
writeFileSync(glue, `/* @ts-self-types="./index.d.ts" */\n${code}`);

// The other modules keep a leading `@ts-self-types` pragma (the package's entry, index.js, has one).
for (const file of others) {
  const source = readFileSync(file, "utf8");
  const pragma = /^\/\* @ts-self-types="[^"]*" \*\/\n/.exec(source)?.[0] ?? "";
  writeFileSync(file, pragma + minify(file, source));
}
console.log(`minify-js: ${1 + others.length} files minified; class names kept: ${named.length}`);
