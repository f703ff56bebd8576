#!/usr/bin/env bash
# Browser tests: the whole tests/browser suite (`wasm-pack test --headless`) in each engine, against the real
# local server, with the DTMF WAV generated here as the microphone:
#   chrome   Debian's Chromium + chromedriver; the WAV through Chromium's file capture (webdriver.json), at
#            48 kHz, then the capture tests again at 44.1 kHz;
#   firefox  Firefox ESR + geckodriver; the WAV through a private PulseAudio source (scripts/pulse-mic.sh);
#   webkit   WebKitGTK's MiniBrowser + WebKitWebDriver (through scripts/webkit-driver.py) under Xvfb; the WAV
#            through the same PulseAudio source.
# Firefox and WebKit capture at their own default context rate. Each result line is prefixed with its engine,
# and a summary gives each engine's counts and time. Every process started here is stopped on exit.
#
#   BROWSER_ENGINES="chrome firefox webkit"   the engines to run (default: all three)
#   BROWSER_TESTS=<filter>                    run only the tests whose names contain it, output shown
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/test-server.sh
source scripts/pulse-mic.sh
source scripts/xvfb.sh

ENGINES=${BROWSER_ENGINES:-chrome firefox webkit}
# The runner picks GECKODRIVER over SAFARIDRIVER over CHROMEDRIVER: none is left exported, each run sets one.
unset GECKODRIVER SAFARIDRIVER CHROMEDRIVER
export WASM_BINDGEN_TEST_TIMEOUT=180

# The fake-mic file path is fixed in webdriver.json (Chromium); PulseAudio plays the same file.
MIC_DIR=/tmp/deepgram-live-wasm-test
mkdir -p "$MIC_DIR"
cargo build -q --release -p dtmf --bin dtmf-wav
make_mic() {
  # Keys, tone and gap lengths are what tests/browser/capture.rs expects (FAKE_MIC_WORDS).
  "${CARGO_TARGET_DIR:-target}"/release/dtmf-wav --rate "$1" --keys "1234567890" --tone-ms 120 --gap-ms 230 \
    --lead-ms 500 --tail-ms 1500 --amplitude 0.5 --out "$MIC_DIR/fake-mic.wav"
}

cleanup() {
  stop_pulse_mic
  stop_xvfb
  stop_test_server
}
trap cleanup EXIT

start_test_server --idle-timeout-ms 2000
export DG_TEST_SERVER="$TEST_SERVER_URL"

# One wasm-pack run in one engine; its output lines prefixed with the engine's name.
run_engine() {
  local engine=$1; shift
  local -a flags
  case "$engine" in
    chrome) flags=(--chrome --chromedriver /usr/bin/chromedriver) ;;
    firefox) flags=(--firefox --geckodriver "$(command -v geckodriver)") ;;
    webkit) flags=(--safari --safaridriver "$PWD/scripts/webkit-driver.py") ;;
  esac
  wasm-pack test --headless "${flags[@]}" -- --test browser -- "$@" 2>&1 | sed -u "s/^/[$engine] /"
}

RESULTS=()
# Runs the suite's passes for one engine, adding a summary line (counts from the runner's result lines).
suite() {
  local engine=$1 start=$SECONDS log="$MIC_DIR/$1.log" rc=0
  : >"$log"
  case "$engine" in
    chrome)
      make_mic 48000
      echo "browser tests [chrome]: fake microphone at 48 kHz, server $DG_TEST_SERVER"
      export DG_TEST_MIC_RATE=48000; run_engine chrome --skip fuzz:: | tee -a "$log" || rc=1
      # The fuzz test on its own, its console output shown: the seed and the counts (DG_FUZZ_SEED / DG_FUZZ_CALLS).
      echo "browser tests [chrome]: the fuzz test (seed ${DG_FUZZ_SEED:-20261203})"
      export DG_TEST_MIC_RATE=48000; run_engine chrome fuzz:: --nocapture | tee -a "$log" || rc=1
      make_mic 44100
      echo "browser tests [chrome]: capture again with the fake microphone at 44.1 kHz"
      export DG_TEST_MIC_RATE=44100; run_engine chrome capture:: | tee -a "$log" || rc=1
      ;;
    firefox | webkit)
      make_mic 48000
      [ -n "${PULSE_MIC_PIDS:-}" ] || start_pulse_mic "$MIC_DIR/fake-mic.wav"
      if [ "$engine" = webkit ]; then start_xvfb; fi
      echo "browser tests [$engine]: PulseAudio microphone, the engine's own context rate, server $DG_TEST_SERVER"
      export DG_TEST_MIC_RATE=; run_engine "$engine" --skip fuzz:: | tee -a "$log" || rc=1
      echo "browser tests [$engine]: the fuzz test (seed ${DG_FUZZ_SEED:-20261203})"
      export DG_TEST_MIC_RATE=; run_engine "$engine" fuzz:: --nocapture | tee -a "$log" || rc=1
      ;;
    *) echo "browser tests: unknown engine '$engine' (chrome, firefox, webkit)" >&2; return 2 ;;
  esac
  local passed failed
  passed=$(grep -oE '[0-9]+ passed' "$log" | awk '{s += $1} END {print s + 0}')
  failed=$(grep -oE '[0-9]+ failed' "$log" | awk '{s += $1} END {print s + 0}')
  if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed="the run"; fi
  RESULTS+=("$(printf '%-8s %3s passed, %s failed in %d s' "$engine" "$passed" "$failed" $((SECONDS - start)))")
  return "$rc"
}

if [ -n "${BROWSER_TESTS:-}" ]; then
  rc=0
  for engine in $ENGINES; do
    make_mic 48000
    case "$engine" in
      chrome) export DG_TEST_MIC_RATE=48000; run_engine chrome "$BROWSER_TESTS" --nocapture || rc=1 ;;
      *)
        [ -n "${PULSE_MIC_PIDS:-}" ] || start_pulse_mic "$MIC_DIR/fake-mic.wav"
        if [ "$engine" = webkit ]; then start_xvfb; fi
        export DG_TEST_MIC_RATE=; run_engine "$engine" "$BROWSER_TESTS" --nocapture || rc=1
        ;;
    esac
  done
  exit $rc
fi

rc=0
for engine in $ENGINES; do
  suite "$engine" || rc=1
done
echo
echo "browser tests summary:"
for r in "${RESULTS[@]}"; do echo "  $r"; done
exit $rc
