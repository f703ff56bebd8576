# Sourced by test and bench scripts: start the local server (release build) on a free port.
# Sets TEST_SERVER_URL (http://127.0.0.1:PORT) and TEST_SERVER_PID; stop_test_server ends it.
start_test_server() {
  cargo build -q --release -p deepgram-live-server
  local log
  log=$(mktemp -t deepgram-live-server.XXXXXX)
  TEST_SERVER_LOG=$log
  "${CARGO_TARGET_DIR:-target}"/release/deepgram-live-server --port 0 "$@" >"$log" 2>"$log.err" &
  TEST_SERVER_PID=$!
  for _ in $(seq 1 100); do
    TEST_SERVER_URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$log" | head -1 || true)
    [ -n "$TEST_SERVER_URL" ] && break
    kill -0 "$TEST_SERVER_PID" 2>/dev/null || { cat "$log.err" >&2; echo "test server failed to start" >&2; return 1; }
    sleep 0.1
  done
  [ -n "$TEST_SERVER_URL" ] || { echo "test server printed no address" >&2; return 1; }
  export TEST_SERVER_URL TEST_SERVER_PID
}
stop_test_server() {
  if [ -n "${TEST_SERVER_PID:-}" ]; then
    kill "$TEST_SERVER_PID" 2>/dev/null || true
    wait "$TEST_SERVER_PID" 2>/dev/null || true
  fi
  # The server's output files: shown when it fails to start, removed once it stops.
  [ -n "${TEST_SERVER_LOG:-}" ] && rm -f "$TEST_SERVER_LOG" "$TEST_SERVER_LOG.err"
  return 0
}
