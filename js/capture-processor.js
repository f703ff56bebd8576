// Capture AudioWorklet processor of deepgram-live-wasm.
//
// This one file is loaded twice: as an ES module on the main thread (the wasm glue imports the name below, which
// also makes wasm-bindgen and bundlers ship the file beside main-thread.js), and by audioWorklet.addModule() in
// the AudioWorkletGlobalScope, where it registers the processor.
//
// The processor batches 128-frame render quanta into frames of `frameSamples` (20 ms by default), planar
// (channel 0 then channel 1 ...), and transfers each full frame to the main thread. Buffers come from a pool that
// the main thread refills by sending the buffers back, so nothing is allocated per render quantum and nothing is
// kept after it is sent. Heavy work (resampling, encoding) happens in Rust on the main thread.
export const CAPTURE_PROCESSOR_NAME = "deepgram-live-capture";
export function captureProcessorName() {
  return CAPTURE_PROCESSOR_NAME;
}

// Defines and registers the processor (in the AudioWorkletGlobalScope). Self-contained, with no reference to
// anything outside it, so the Blob fallback can rebuild the module from this function's own source text.
function registerCaptureProcessor(name) {
  class CaptureProcessor extends AudioWorkletProcessor {
    constructor(options) {
      super();
      const o = (options && options.processorOptions) || {};
      this.frameSamples = Math.max(128, o.frameSamples | 0);
      this.channels = Math.max(1, Math.min(8, o.channels | 0 || 1));
      this.pool = [];
      for (let i = 0; i < 4; i++) this.pool.push(new Float32Array(this.frameSamples * this.channels));
      this.frame = this.pool.pop();
      this.filled = 0;
      this.sent = 0;
      this.allocated = 4;
      this.stopped = false;
      this.port.onmessage = (e) => {
        const d = e.data;
        if (d instanceof Float32Array) {
          if (d.length === this.frameSamples * this.channels && this.pool.length < 8) this.pool.push(d);
        } else if (d && d.type === "stop") {
          this.stopped = true;
        }
      };
    }

    process(inputs) {
      if (this.stopped) return false;
      const input = inputs[0];
      // No input connected yet (or the track ended): keep the node alive, send nothing.
      if (!input || input.length === 0) return true;
      const n = input[0].length;
      let offset = 0;
      while (offset < n) {
        const take = Math.min(n - offset, this.frameSamples - this.filled);
        for (let c = 0; c < this.channels; c++) {
          // A mono source feeding a stereo request repeats channel 0.
          const src = input[c] || input[0];
          this.frame.set(src.subarray(offset, offset + take), c * this.frameSamples + this.filled);
        }
        this.filled += take;
        offset += take;
        if (this.filled === this.frameSamples) {
          // currentFrame is the first frame of this quantum; the frame ends at currentFrame + offset.
          // `t` (wall clock, ms) lets the main thread measure capture -> send latency; Date is the only clock
          // the AudioWorkletGlobalScope has.
          this.port.postMessage(
            { samples: this.frame, endFrame: currentFrame + offset, seq: this.sent++, t: Date.now() },
            [this.frame.buffer],
          );
          let next = this.pool.pop();
          if (!next) {
            // The main thread has not returned buffers yet (busy page): grow the pool once, never per quantum.
            next = new Float32Array(this.frameSamples * this.channels);
            this.allocated++;
          }
          this.frame = next;
          this.filled = 0;
        }
      }
      return true;
    }
  }
  registerProcessor(name, CaptureProcessor);
}

/** The module source for the Blob fallback (`worklet: "blob"`), built from the code above (nothing duplicated). */
export function captureProcessorSource() {
  return `(${registerCaptureProcessor.toString()})(${JSON.stringify(CAPTURE_PROCESSOR_NAME)});`;
}

if (typeof AudioWorkletProcessor !== "undefined" && typeof registerProcessor === "function") {
  registerCaptureProcessor(CAPTURE_PROCESSOR_NAME);
}
