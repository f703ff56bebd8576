#!/usr/bin/env bash
# Prints the benchmark figures: the resampler (quality and speed beside a linear-interpolation baseline), the
# DTMF detector, and the local server under 200 concurrent real-time streams.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== resampler (native, release)"
cargo bench -q --bench resampler
echo
echo "== local server: concurrent real-time listen streams"
cargo bench -q -p deepgram-live-server --bench streams
