#!/usr/bin/env bash
# End-to-end tests: builds the release server and dtmf-wav, then pkg/ (skip with E2E_SKIP_PKG=1 when pkg/ is
# fresh), then runs every tests/e2e/*.test.mjs suite, one after the other (each starts its own server and
# Chromium; the machine is small), and prints a summary. Exits non-zero if any suite failed.
# CARGO_TARGET_DIR is honoured by cargo here and by tests/e2e/lib.mjs when it looks for the binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p deepgram-live-server -p dtmf
if [ "${E2E_SKIP_PKG:-0}" = 1 ]; then
  echo "e2e: E2E_SKIP_PKG=1: using pkg/ as it is"
else
  scripts/build-pkg.sh
fi

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
