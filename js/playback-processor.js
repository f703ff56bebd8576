// Playback AudioWorklet processor of deepgram-live-wasm.
//
// Loaded twice like capture-processor.js: as an ES module on the main thread (the wasm glue imports the name
// below, which makes wasm-bindgen and bundlers ship the file) and by audioWorklet.addModule(), where it registers.
//
// A ring buffer at the context's rate, fed blocks (20 ms) of decoded, resampled audio by the main thread.
//  - Pre-roll: playback starts once `preRoll` samples are buffered, or the end of the segment is buffered.
//  - Underrun: when the ring is about to run dry inside a segment, the last samples fade out, and after the next
//    pre-roll the audio fades back in. The node never stops on underrun.
//  - Clear: a message with a new generation drops the ring at the next render quantum, after a fade of at most
//    `fade` samples over the audio that was about to play; blocks of an older generation are discarded on arrival.
//  - Segments (one per Flush): the main thread tags every block with its segment number and sends an end marker
//    after a segment's last block; the processor reports the first and the last sample it actually rendered, with
//    the exact number of samples rendered for the segment.
// Nothing is allocated per render quantum: the ring and the marker queue are preallocated; messages to the main
// thread are a few per segment plus a progress report every ~20 ms while audio is buffered or playing.
export const PLAYBACK_PROCESSOR_NAME = "deepgram-live-playback";
export function playbackProcessorName() {
  return PLAYBACK_PROCESSOR_NAME;
}

// Defines and registers the processor (in the AudioWorkletGlobalScope). Self-contained, with no reference to
// anything outside it, so the Blob fallback can rebuild the module from this function's own source text.
function registerPlaybackProcessor(name) {
  const MARKERS = 256; // segment start/end markers queued at once (a segment needs two)
  const IDLE = 0; // nothing to play: waiting for a segment's pre-roll
  const PLAYING = 1;
  const REBUFFER = 2; // underrun inside a segment: waiting for pre-roll again

  class PlaybackProcessor extends AudioWorkletProcessor {
    constructor(options) {
      super();
      const o = (options && options.processorOptions) || {};
      this.capacity = Math.max(4096, o.capacity | 0);
      this.preRoll = Math.max(0, Math.min(this.capacity >> 1, o.preRoll | 0));
      this.fade = Math.max(1, o.fade | 0);
      this.reportEvery = Math.max(128, o.reportEvery | 0 || 1024);
      this.ring = new Float32Array(this.capacity);
      this.fadeBuf = new Float32Array(this.fade);
      this.fadeLen = 0; // samples of a clear's fade-out still to render
      this.fadeDone = 0;
      this.clearReport = null; // posted when the clear's fade has been rendered
      this.read = 0; // absolute sample positions (doubles stay exact far beyond any session length)
      this.write = 0;
      // Markers: kind 1 = segment start, 2 = segment end, at absolute position `pos`.
      this.mPos = new Float64Array(MARKERS);
      this.mSeg = new Int32Array(MARKERS);
      this.mKind = new Int8Array(MARKERS);
      this.mHead = 0;
      this.mLen = 0;
      this.generation = 0;
      this.lastSegWritten = -1;
      this.state = IDLE;
      this.segment = -1; // the segment being played
      this.segPlayed = 0; // samples of it rendered so far
      this.fadeIn = 0; // samples of fade-in left
      this.received = 0; // samples received (every generation), for the main thread's flow control
      this.played = 0; // samples rendered from the ring, ever
      this.dropped = 0; // samples that did not fit (the main thread keeps within capacity: stays 0)
      this.sinceReport = 0;
      this.wasActive = false;
      this.stopped = false;
      this.port.onmessage = (e) => this.onMessage(e.data);
    }

    onMessage(d) {
      if (!d) return;
      switch (d.t) {
        case "a": {
          const s = d.s;
          this.received += s.length;
          if (d.g !== this.generation) return; // from before a clear: stale
          if (d.k !== this.lastSegWritten) {
            this.lastSegWritten = d.k;
            this.pushMarker(1, d.k, this.write);
          }
          const room = this.capacity - (this.write - this.read);
          const n = Math.min(room, s.length);
          if (n < s.length) this.dropped += s.length - n;
          const w = this.write % this.capacity;
          const first = Math.min(n, this.capacity - w);
          this.ring.set(first === s.length ? s : s.subarray(0, first), w);
          if (n > first) this.ring.set(s.subarray(first, n), 0);
          this.write += n;
          this.wasActive = true;
          break;
        }
        case "e":
          if (d.g === this.generation) {
            if (d.k !== this.lastSegWritten) {
              // An empty segment: still report its start and end so every flush is answered.
              this.lastSegWritten = d.k;
              this.pushMarker(1, d.k, this.write);
            }
            this.pushMarker(2, d.k, this.write);
            this.wasActive = true;
          }
          break;
        case "c":
          this.clear(d.g);
          break;
        case "x":
          this.stopped = true;
          break;
      }
    }

    // Drops everything now; keeps the next `fade` samples that were about to play to fade them out.
    clear(generation) {
      const buffered = this.write - this.read;
      const f = this.state === PLAYING && this.fadeLen === 0 ? Math.min(this.fade, buffered) : 0;
      let r = this.read % this.capacity;
      for (let i = 0; i < f; i++) {
        this.fadeBuf[i] = this.ring[r];
        if (++r === this.capacity) r = 0;
      }
      this.fadeLen = f;
      this.fadeDone = 0;
      this.segPlayed += f;
      this.played += f;
      this.clearReport = { t: "c", g: generation, k: this.segment, n: this.segPlayed, f: 0, d: buffered - f };
      this.generation = generation;
      this.read = this.write;
      this.mLen = 0;
      this.lastSegWritten = -1;
      this.segment = -1;
      this.segPlayed = 0;
      this.fadeIn = 0;
      this.state = IDLE;
      this.wasActive = true;
    }

    pushMarker(kind, seg, pos) {
      if (this.mLen === MARKERS) return; // cannot happen with the main thread's flow control
      const i = (this.mHead + this.mLen) % MARKERS;
      this.mPos[i] = pos;
      this.mSeg[i] = seg;
      this.mKind[i] = kind;
      this.mLen++;
    }

    // Whether the end of the segment being played is already buffered.
    endBuffered() {
      for (let j = 0; j < this.mLen; j++) {
        if (this.mKind[(this.mHead + j) % MARKERS] === 2) return true;
      }
      return false;
    }

    // Reports the segment starts and ends at the read position.
    crossMarkers(frame) {
      while (this.mLen > 0 && this.mPos[this.mHead] <= this.read) {
        const kind = this.mKind[this.mHead];
        const seg = this.mSeg[this.mHead];
        this.mHead = (this.mHead + 1) % MARKERS;
        this.mLen--;
        if (kind === 1) {
          this.segment = seg;
          this.segPlayed = 0;
          this.port.postMessage({ t: "s", k: seg, f: frame });
        } else {
          this.port.postMessage({ t: "e", k: seg, n: this.segPlayed, f: frame });
          this.segment = -1;
          this.segPlayed = 0;
        }
      }
    }

    process(_inputs, outputs) {
      if (this.stopped) return false;
      const output = outputs[0];
      if (!output || output.length === 0) return true;
      const out = output[0];
      const n = out.length;
      let i = 0;
      if (this.fadeLen > 0) {
        // A clear's fade-out: the samples that were about to play, ramped to zero.
        for (; i < n && this.fadeDone < this.fadeLen; i++, this.fadeDone++) {
          out[i] = this.fadeBuf[this.fadeDone] * (1 - (this.fadeDone + 1) / this.fadeLen);
        }
        if (this.fadeDone === this.fadeLen) this.fadeLen = 0;
      }
      if (this.clearReport !== null && this.fadeLen === 0) {
        this.clearReport.f = currentFrame + i;
        this.port.postMessage(this.clearReport);
        this.clearReport = null;
      }
      this.render(out, i, n);
      for (let c = 1; c < output.length; c++) output[c].set(out);
      this.sinceReport += n;
      if (this.sinceReport >= this.reportEvery) {
        const active = this.state !== IDLE || this.write > this.read;
        // While active, and once more after, so the main thread sees the final state.
        if (active || this.wasActive) {
          this.sinceReport = 0;
          this.wasActive = active;
          this.port.postMessage({ t: "p", b: this.write - this.read, r: this.received, p: this.played, x: this.dropped });
        }
      }
      return true;
    }

    render(out, i, n) {
      const frame0 = currentFrame;
      while (i < n) {
        this.crossMarkers(frame0 + i);
        const buffered = this.write - this.read;
        if (this.state !== PLAYING) {
          // Start once the pre-roll is buffered, or the whole rest of the segment is.
          if (buffered > 0 && (buffered >= this.preRoll || this.endBuffered())) {
            if (this.state === REBUFFER) this.fadeIn = Math.min(this.fade, buffered);
            this.state = PLAYING;
          } else {
            out.fill(0, i, n);
            return;
          }
        }
        if (buffered === 0) {
          if (this.segment >= 0) {
            // Ran dry inside a segment: an underrun. Wait for the pre-roll again.
            this.state = REBUFFER;
            this.port.postMessage({ t: "u", k: this.segment, f: frame0 + i });
          } else {
            this.state = IDLE;
          }
          continue;
        }
        // Play up to the next marker or the end of the quantum.
        let take = Math.min(n - i, buffered);
        if (this.mLen > 0) take = Math.min(take, this.mPos[this.mHead] - this.read);
        // About to run dry inside a segment whose end is not buffered: fade out the last samples.
        let fadeOutFrom = take;
        if (this.fadeIn === 0 && this.segment >= 0 && buffered <= n - i && !this.endBuffered()) {
          fadeOutFrom = Math.max(0, take - this.fade);
        }
        let r = this.read % this.capacity;
        for (let j = 0; j < take; j++) {
          let s = this.ring[r];
          if (++r === this.capacity) r = 0;
          if (this.fadeIn > 0) {
            s *= 1 - this.fadeIn / (this.fade + 1);
            this.fadeIn--;
          } else if (j >= fadeOutFrom) {
            s *= 1 - (j - fadeOutFrom + 1) / (take - fadeOutFrom);
          }
          out[i + j] = s;
        }
        this.read += take;
        this.played += take;
        this.segPlayed += take;
        i += take;
      }
    }
  }
  registerProcessor(name, PlaybackProcessor);
}

/** The module source for the Blob fallback (`worklet: "blob"`), built from the code above (nothing duplicated). */
export function playbackProcessorSource() {
  return `(${registerPlaybackProcessor.toString()})(${JSON.stringify(PLAYBACK_PROCESSOR_NAME)});`;
}

if (typeof AudioWorkletProcessor !== "undefined" && typeof registerProcessor === "function") {
  registerPlaybackProcessor(PLAYBACK_PROCESSOR_NAME);
}
