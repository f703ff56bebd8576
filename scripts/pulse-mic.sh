# Sourced by scripts/browser-test.sh, scripts/e2e.sh and scripts/bench.sh: a WAV file as the microphone of
# Firefox and WebKitGTK, through a private PulseAudio (Chromium reads the WAV itself).
#
#   start_pulse_mic FILE.wav   starts PulseAudio with two null sinks: "speakers" (the default output, kept
#                              running by a silent stream so that a new AudioContext does not wait ~2 s for an
#                              idle sink to wake) and "wavmic", fed FILE.wav (a PCM16 WAV) in an endless loop as
#                              one stream, whose monitor is remapped
#                              into the real source "wavmic_in" (the default input: WebKitGTK skips monitors).
#   stop_pulse_mic             stops every process start_pulse_mic started, and PulseAudio itself.
#   PULSE_MIC_VERBOSE=1        logs the daemon verbosely and keeps the log as /tmp/pulse-verbose.log.
#
# The daemon runs with its own runtime directory and no autospawn, so it neither finds nor disturbs the user's.

start_pulse_mic() {
  local wav=$1
  PULSE_MIC_DIR=$(mktemp -d -t deepgram-live-pulse.XXXXXX)
  export PULSE_RUNTIME_PATH="$PULSE_MIC_DIR/run" PULSE_STATE_PATH="$PULSE_MIC_DIR/state"
  export PULSE_SERVER="unix:$PULSE_MIC_DIR/run/native"
  mkdir -p "$PULSE_RUNTIME_PATH" "$PULSE_STATE_PATH"
  # As root PulseAudio warns that it runs in user mode: that is what we want here.
  pulseaudio --daemonize=no --exit-idle-time=-1 --disallow-exit --use-pid-file=no --log-target=stderr ${PULSE_MIC_VERBOSE:+-vvv} \
    -n -L "module-native-protocol-unix socket=$PULSE_MIC_DIR/run/native" \
    -L "module-null-sink sink_name=speakers sink_properties=device.description=Speakers" \
    -L "module-null-sink sink_name=wavmic sink_properties=device.description=WavMicrophone" \
    -L "module-remap-source master=wavmic.monitor source_name=wavmic_in source_properties=device.description=WavMicrophoneInput" \
    -L "module-always-sink" 2>"$PULSE_MIC_DIR/pulseaudio.log" &
  PULSE_MIC_PIDS=$!
  local i
  for i in $(seq 1 100); do
    pactl info >/dev/null 2>&1 && break
    kill -0 "$PULSE_MIC_PIDS" 2>/dev/null || { cat "$PULSE_MIC_DIR/pulseaudio.log" >&2; return 1; }
    sleep 0.1
  done
  pactl set-default-sink speakers
  pactl set-default-source wavmic_in
  pacat --playback -d speakers --latency-msec=20 --rate=48000 --channels=2 --format=s16le /dev/zero \
    >/dev/null 2>&1 &
  PULSE_MIC_PIDS="$PULSE_MIC_PIDS $!"
  # One endless stream (a new stream per loop would start with an underrun each time): the file's samples
  # (after its 44-byte PCM header) again and again, through a pipe into one pacat with 200 ms of buffer.
  local rate channels
  rate=$(od -An -tu4 -j24 -N4 "$wav" | tr -d ' ')
  channels=$(od -An -tu2 -j22 -N2 "$wav" | tr -d ' ')
  if [ "$(dd if="$wav" bs=1 skip=36 count=4 2>/dev/null)" != data ]; then
    echo "pulse-mic: $wav is not a plain 44-byte-header PCM16 WAV" >&2
    return 1
  fi
  bash -c 'while tail -c +45 "$0"; do :; done' "$wav" 2>/dev/null \
    | pacat --playback -d wavmic --latency-msec=200 --rate="$rate" --channels="$channels" --format=s16le \
      >/dev/null 2>&1 &
  PULSE_MIC_PIDS="$PULSE_MIC_PIDS $!"
  export PULSE_MIC_PIDS
}

stop_pulse_mic() {
  [ -n "${PULSE_MIC_PIDS:-}" ] || return 0
  local pid
  # The feeder first (the pipeline's last process is the one recorded: pacat; its writer loop ends on the
  # broken pipe), then the silent stream, then the daemon.
  for pid in $(echo "$PULSE_MIC_PIDS" | tr ' ' '\n' | tac); do
    pkill -TERM -P "$pid" 2>/dev/null || true
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [ -n "${PULSE_MIC_VERBOSE:-}" ] && cp "$PULSE_MIC_DIR/pulseaudio.log" /tmp/pulse-verbose.log
  rm -rf "$PULSE_MIC_DIR"
  unset PULSE_MIC_PIDS PULSE_MIC_DIR PULSE_RUNTIME_PATH PULSE_STATE_PATH PULSE_SERVER
}
