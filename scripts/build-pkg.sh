#!/usr/bin/env bash
# Builds the npm package into pkg/: wasm-pack (release: opt-level 3, LTO), wasm-opt from npm binaryen@132
# (never Debian's wasm-opt 108, which produces a module that fails at start), then pkg-template/ merged in.
set -euo pipefail
cd "$(dirname "$0")/.."

wasm-pack build --release --target web --out-dir pkg --out-name deepgram_live_wasm --no-pack
wasm=pkg/deepgram_live_wasm_bg.wasm
before=$(stat -c %s "$wasm")
node_modules/.bin/wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-simd --enable-reference-types --enable-multivalue \
  "$wasm" -o "$wasm.opt"
mv "$wasm.opt" "$wasm"
echo "pkg: wasm-opt $before -> $(stat -c %s "$wasm") bytes"

# The worklet files must sit beside worklet-urls.js (wasm-bindgen put them under snippets/ already); the
# template adds package.json, README, types and the license.
cp -r pkg-template/. pkg/
version=$(awk -F'"' '/^version = / {print $2; exit}' Cargo.toml)
sed -i "s/\"version\": \"0.0.0-template\"/\"version\": \"$version\"/" pkg/package.json
rm -f pkg/.gitignore
echo "pkg: built deepgram-live-wasm $version into pkg/"
ls -la pkg
