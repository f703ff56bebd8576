#!/usr/bin/env bash
# Prints the benchmark figures: the resampler (quality and speed beside a linear-interpolation baseline), words
# lost/doubled and audio replayed over 100 dropped connections (beside replay turned off), the
# local server under 200 concurrent real-time streams, and in Chromium, Firefox and WebKit side by side
# (BENCH_ENGINES): wasm resampler speed, capture -> send latency, clear and first-audio latency, stale samples;
# heap over a speak/clear soak in Chromium (BENCH_SOAK_S=600 by default; BENCH_SOAK_S=0 skips it); then the package's shipped size beside @deepgram/sdk, and
# by layer beside a baseline commit built side by side (BENCH_SIZE_BASELINE, see scripts/size-baseline.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== resampler (native, release)"
cargo bench -q --bench resampler
echo
echo "== dropped connections: words lost and doubled, audio replayed (native, the real stream code)"
cargo bench -q --bench reconnect
echo
echo "== local server: concurrent real-time listen streams"
cargo bench -q -p deepgram-live-server --bench streams
echo
echo "== in headless Chromium, Firefox ESR and WebKitGTK (Debian's), against the local server"
cargo build -q --release -p deepgram-live-server -p dtmf
PKG_OUT="${CARGO_TARGET_DIR:-target}/bench-pkg" PKG_FEATURES=bench scripts/build-pkg.sh >/dev/null
# Firefox's and WebKit's microphone (the DTMF WAV through PulseAudio) and WebKit's display, stopped on exit.
source scripts/pulse-mic.sh
source scripts/xvfb.sh
trap 'stop_pulse_mic; stop_xvfb' EXIT
mic="${CARGO_TARGET_DIR:-target}/e2e/pulse-mic.wav"
mkdir -p "$(dirname "$mic")"
"${CARGO_TARGET_DIR:-target}"/release/dtmf-wav --rate 48000 --keys 1234567890 --tone-ms 120 --gap-ms 230 \
  --lead-ms 500 --tail-ms 1500 --amplitude 0.5 --out "$mic" >/dev/null
start_pulse_mic "$mic"
start_xvfb
node benches/browser/run.mjs
echo
echo "== shipped size: this package beside the @deepgram/sdk browser bundle"
scripts/build-pkg.sh >/dev/null
node scripts/bench-size.mjs
echo
module=wasm32-unknown-unknown/release/deepgram_live_wasm_package.wasm
base=$(scripts/size-baseline.sh)
if [ -n "$base" ]; then
  echo "== shipped size of the baseline (${BENCH_SIZE_BASELINE:-f61f09a}, built side by side)"
  node scripts/bench-size.mjs "$base/src/pkg"
  echo
  node scripts/size-layers.mjs "${CARGO_TARGET_DIR:-target}/$module" "$base/target/$module" \
    --labels "now,${BENCH_SIZE_BASELINE:-f61f09a}"
else
  node scripts/size-layers.mjs "${CARGO_TARGET_DIR:-target}/$module"
fi
