// The "test signal" source for machines without a microphone: DTMF digits 1..9, 0 from OscillatorNodes, looping,
// in the session's AudioContext. The local server's recognizer turns them into "one two three ...", so the demo
// shows live captions with no microphone and no API key.

// Row and column frequencies of each key (ITU-T Q.23).
const KEYS = {
  1: [697, 1209], 2: [697, 1336], 3: [697, 1477],
  4: [770, 1209], 5: [770, 1336], 6: [770, 1477],
  7: [852, 1209], 8: [852, 1336], 9: [852, 1477],
  0: [941, 1336],
};
const DIGITS = "1234567890";
const TONE_S = 0.12;
const GAP_S = 0.23;
// Each sine at 0.25 peaks at 0.5 together: loud enough for the detector, no clipping after the capture chain.
const SINE_GAIN = 0.25;
// A short ramp at both ends of a tone: a hard edge clicks, and a click is broadband noise to the detector.
const RAMP_S = 0.004;
// Tones are scheduled this far ahead on the audio clock, so a throttled timer (background tab: 1 s) never
// leaves a hole in the signal.
const LOOKAHEAD_S = 2.5;
const TICK_MS = 250;

/**
 * Starts the looping DTMF signal in `ctx`. Returns `{node, stop()}`: `node` is the GainNode to give
 * to `start({node})`; `stop()` silences it and releases every node.
 */
export function startTestSignal(ctx) {
  const out = ctx.createGain();
  out.gain.value = 1;
  let next = ctx.currentTime + 0.3;
  let index = 0;
  const live = new Set();

  function scheduleTone(key, at) {
    const env = ctx.createGain();
    env.gain.setValueAtTime(0, at);
    env.gain.linearRampToValueAtTime(SINE_GAIN, at + RAMP_S);
    env.gain.setValueAtTime(SINE_GAIN, at + TONE_S - RAMP_S);
    env.gain.linearRampToValueAtTime(0, at + TONE_S);
    env.connect(out);
    let running = 0;
    for (const freq of KEYS[key]) {
      const osc = ctx.createOscillator();
      osc.frequency.value = freq;
      osc.connect(env);
      osc.start(at);
      osc.stop(at + TONE_S);
      live.add(osc);
      running += 1;
      osc.onended = () => {
        live.delete(osc);
        osc.disconnect();
        running -= 1;
        if (running === 0) env.disconnect();
      };
    }
  }

  function fill() {
    // After a suspension (or a long stall) the clock may have passed `next`: restart just ahead of it rather
    // than schedule tones in the past, which would all sound at once.
    if (next < ctx.currentTime) next = ctx.currentTime + 0.05;
    while (next < ctx.currentTime + LOOKAHEAD_S) {
      scheduleTone(DIGITS[index % DIGITS.length], next);
      index += 1;
      next += TONE_S + GAP_S;
    }
  }

  fill();
  const timer = setInterval(fill, TICK_MS);
  return {
    node: out,
    stop() {
      clearInterval(timer);
      for (const osc of live) {
        try { osc.stop(); } catch { /* already stopped */ }
      }
      out.disconnect();
    },
  };
}
