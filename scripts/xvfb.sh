# Sourced by scripts/browser-test.sh, scripts/e2e.sh and scripts/bench.sh: a private X display for WebKitGTK's
# MiniBrowser, which has no headless mode.
#
#   start_xvfb   starts Xvfb on a free display (it reports the one it took through -displayfd) and exports DISPLAY
#   stop_xvfb    stops it

start_xvfb() {
  [ -z "${XVFB_PID:-}" ] || return 0
  local fifo display
  fifo=$(mktemp -u -t deepgram-live-xvfb.XXXXXX)
  mkfifo "$fifo"
  Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$fifo" 2>/dev/null &
  XVFB_PID=$!
  if ! read -r -t 20 display <"$fifo"; then
    rm -f "$fifo"
    echo "Xvfb did not start" >&2
    return 1
  fi
  rm -f "$fifo"
  export DISPLAY=":$display" XVFB_PID
}

stop_xvfb() {
  [ -n "${XVFB_PID:-}" ] || return 0
  kill "$XVFB_PID" 2>/dev/null || true
  wait "$XVFB_PID" 2>/dev/null || true
  unset XVFB_PID DISPLAY
}
