#!/usr/bin/env bash
# End-to-end tests: builds the release server, dtmf-wav and dtmf-detect, then pkg/ (skip with E2E_SKIP_PKG=1
# when pkg/ is fresh), then runs every tests/e2e/*.test.mjs suite, one after the other (each starts its own
# server and browsers; the machine is small), and prints a summary. Exits non-zero if any suite failed.
# Firefox and WebKit get the DTMF WAV as their microphone through a private PulseAudio (scripts/pulse-mic.sh)
# and WebKit an Xvfb display (scripts/xvfb.sh), both stopped on exit. E2E_ENGINES picks the engines
# (default "chrome firefox webkit"). CARGO_TARGET_DIR is honoured by cargo here and by tests/e2e/lib.mjs.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/pulse-mic.sh
source scripts/xvfb.sh
trap 'stop_pulse_mic; stop_xvfb' EXIT
export E2E_ENGINES=${E2E_ENGINES:-chrome firefox webkit}

cargo build --release -p deepgram-live-server -p dtmf
if [ "${E2E_SKIP_PKG:-0}" = 1 ]; then
  echo "e2e: E2E_SKIP_PKG=1: using pkg/ as it is"
else
  scripts/build-pkg.sh
fi

if [[ " $E2E_ENGINES " == *" firefox "* || " $E2E_ENGINES " == *" webkit "* ]]; then
  mic="${CARGO_TARGET_DIR:-target}/e2e/pulse-mic.wav"
  mkdir -p "$(dirname "$mic")"
  "${CARGO_TARGET_DIR:-target}"/release/dtmf-wav --rate 48000 --keys 1234567890 --tone-ms 120 --gap-ms 230 \
    --lead-ms 500 --tail-ms 1500 --amplitude 0.5 --out "$mic" >/dev/null
  start_pulse_mic "$mic"
fi
[[ " $E2E_ENGINES " == *" webkit "* ]] && start_xvfb

shopt -s nullglob
suites=(tests/e2e/*.test.mjs)
if [ ${#suites[@]} -eq 0 ]; then
  echo "e2e: no tests/e2e/*.test.mjs suite found" >&2
  exit 1
fi

passed=()
failed=()
for suite in "${suites[@]}"; do
  echo
  echo "e2e: ${suite}"
  start=$SECONDS
  if node "$suite"; then
    passed+=("${suite} ($((SECONDS - start)) s)")
  else
    failed+=("${suite} ($((SECONDS - start)) s, exit $?)")
  fi
done

echo
echo "e2e summary: ${#passed[@]} passed, ${#failed[@]} failed"
for s in "${passed[@]}"; do echo "  pass  $s"; done
for s in "${failed[@]}"; do echo "  FAIL  $s"; done
[ ${#failed[@]} -eq 0 ]
