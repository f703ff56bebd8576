#!/usr/bin/env bash
# Browser tests: `wasm-pack test --headless --chrome` against the real local server, with Chromium's fake
# microphone playing DTMF WAV files generated here (once at 48 kHz, then the capture tests again at 44.1 kHz).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/test-server.sh

export CHROMEDRIVER=/usr/bin/chromedriver
unset GECKODRIVER SAFARIDRIVER
export WASM_BINDGEN_TEST_TIMEOUT=120

# The fake-mic file path is fixed in webdriver.json; its sample rate sets the AudioContext's default rate.
MIC_DIR=/tmp/deepgram-live-wasm-test
mkdir -p "$MIC_DIR"
cargo build -q --release -p dtmf --bin dtmf-wav
make_mic() {
  # Keys, tone and gap lengths are what tests/browser/capture.rs expects (FAKE_MIC_KEYS).
  "${CARGO_TARGET_DIR:-target}"/release/dtmf-wav --rate "$1" --keys "1234567890" --tone-ms 120 --gap-ms 230 \
    --lead-ms 500 --tail-ms 1500 --amplitude 0.5 --out "$MIC_DIR/fake-mic.wav"
}

start_test_server --idle-timeout-ms 2000
trap stop_test_server EXIT
export DG_TEST_SERVER="$TEST_SERVER_URL"

# BROWSER_TESTS: run only the tests whose names contain it (e.g. `BROWSER_TESTS=fuzz:: make test-browser`).
make_mic 48000
if [ -n "${BROWSER_TESTS:-}" ]; then
  DG_TEST_MIC_RATE=48000 wasm-pack test --headless --chrome -- --test browser -- "$BROWSER_TESTS" --nocapture
  exit
fi
echo "browser tests: fake microphone at 48 kHz, server $DG_TEST_SERVER"
DG_TEST_MIC_RATE=48000 wasm-pack test --headless --chrome -- --test browser -- --skip fuzz::
# The fuzz test on its own, its console output shown: the seed and the counts (DG_FUZZ_SEED / DG_FUZZ_CALLS).
echo "browser tests: the fuzz test (seed ${DG_FUZZ_SEED:-20261203})"
DG_TEST_MIC_RATE=48000 wasm-pack test --headless --chrome -- --test browser -- fuzz:: --nocapture

make_mic 44100
echo "browser tests: capture again with the fake microphone at 44.1 kHz"
DG_TEST_MIC_RATE=44100 wasm-pack test --headless --chrome -- --test browser -- capture::
