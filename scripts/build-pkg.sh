#!/usr/bin/env bash
# Builds the npm package into pkg/: wasm-pack on package/ (release: fat LTO at opt-level "z"), wasm-opt from npm binaryen@132
# (never Debian's wasm-opt 108, which produces a module that fails at start), then pkg-template/ merged in.
set -euo pipefail
cd "$(dirname "$0")/.."

# PKG_OUT / PKG_FEATURES: `make bench` builds a separate package with its benchmark exports (never shipped).
out=${PKG_OUT:-pkg}
features=()
[ -n "${PKG_FEATURES:-}" ] && features=(-- --features "$PKG_FEATURES")
# From nothing: wasm-pack leaves the files of an earlier build in place (a renamed snippet would ship twice).
rm -rf "${out:?}"
wasm-pack build package --release --target web --out-dir "$(realpath -m "$out")" --out-name deepgram_live_wasm --no-pack "${features[@]}"
wasm=$out/deepgram_live_wasm_bg.wasm
before=$(stat -c %s "$wasm")
node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-simd --enable-reference-types --enable-multivalue \
  "$wasm" -o "$wasm.opt"
mv "$wasm.opt" "$wasm"
echo "pkg: wasm-opt $before -> $(stat -c %s "$wasm") bytes"
# wasm-bindgen's import names carry random hashes, in the wasm and again in the glue: shorten them in both.
node scripts/shorten-imports.mjs "$wasm" "$out/deepgram_live_wasm.js"
if [ "$out" != pkg ]; then
  echo "pkg: built $out (features: ${PKG_FEATURES:-none}; no template merge)"
  exit 0
fi

# The worklet files must sit beside main-thread.js (wasm-bindgen put them under snippets/ already); the
# template adds package.json, the entry point (index.js: the glue behind an engine check, see its header), the
# npm README and the hand-written declarations (index.d.ts). wasm-bindgen's own
# deepgram_live_wasm.d.ts types every option and payload as `any`: it stays in pkg/ (tests/e2e compares the two)
# but is not packed, and the glue's `@ts-self-types` pragma (read by Deno) is pointed at index.d.ts too.
cp -r pkg-template/. pkg/
version=$(awk -F'"' '/^version = / {print $2; exit}' Cargo.toml)
sed -i "s/\"version\": \"0.0.0-template\"/\"version\": \"$version\"/" pkg/package.json
# The shipped JS is minified (scripts/minify-js.mjs: what an app's bundler would do anyway, and what a page
# without a bundler now gets): glue 59 -> 21 KB, worklets 15 -> 6 KB. The readable sources are js/ and
# wasm-bindgen's output.
node scripts/minify-js.mjs pkg/deepgram_live_wasm.js pkg/index.js pkg/snippets/*/js/*.js
rm -f pkg/.gitignore
# Every path package.json ships must exist, or npm would silently publish a package without it.
node -e '
  const pkg = require("./pkg/package.json"), fs = require("fs");
  const missing = [...pkg.files, pkg.types, pkg.exports["."].types, pkg.exports["."].default]
    .filter((f) => !fs.existsSync("pkg/" + f));
  if (missing.length) { console.error("pkg: package.json names missing files: " + missing.join(", ")); process.exit(1); }'
echo "pkg: built deepgram-live-wasm $version into pkg/"
ls -la pkg
