#!/usr/bin/env bash
# Builds the npm package of an earlier commit beside this tree, for `make bench` to compare sizes with: the files
# of BENCH_SIZE_BASELINE (default: the last commit before the library used serde, serde-wasm-bindgen and
# gloo-timers) exported with `git archive` under target/size-baseline/src, built with its own
# scripts/build-pkg.sh into target/size-baseline/target. Prints the directory; prints nothing (and says why on
# stderr) when the commit is not in this clone.
set -euo pipefail
cd "$(dirname "$0")/.."
base=${BENCH_SIZE_BASELINE:-f61f09a}
dir=$(realpath -m "${CARGO_TARGET_DIR:-target}/size-baseline")
if ! git cat-file -e "$base^{commit}" 2>/dev/null; then
  echo "size-baseline: commit $base is not in this clone (a shallow clone?): no baseline" >&2
  exit 0
fi
stamp="$dir/src/.baseline-commit"
if [ "$(cat "$stamp" 2>/dev/null)" != "$(git rev-parse "$base^{commit}")" ]; then
  rm -rf "$dir/src"
  mkdir -p "$dir/src"
  git archive "$base" | tar -x -C "$dir/src"
  git rev-parse "$base^{commit}" > "$stamp"
fi
# Its build uses the npm tools of this tree (wasm-opt from binaryen, esbuild) and builds into its own target dir.
ln -sfn "$PWD/node_modules" "$dir/src/node_modules"
(cd "$dir/src" && CARGO_TARGET_DIR="$dir/target" scripts/build-pkg.sh >/dev/null)
echo "$dir"
