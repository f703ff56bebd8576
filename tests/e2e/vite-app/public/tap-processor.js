// Records what reaches it (the Speaker's rendered output) and passes it on; posts the samples when asked.
// Served as a same-origin file, as the page's Content-Security-Policy requires of worklet modules.
class Tap extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.buf = new Float32Array(options.processorOptions.capacity);
    this.n = 0;
    this.port.onmessage = () => this.port.postMessage(this.buf.slice(0, this.n));
  }
  process(inputs, outputs) {
    const input = inputs[0] && inputs[0][0];
    if (input) {
      const k = Math.min(input.length, this.buf.length - this.n);
      this.buf.set(input.subarray(0, k), this.n);
      this.n += k;
      if (outputs[0] && outputs[0][0]) outputs[0][0].set(input);
    }
    return true;
  }
}
registerProcessor("tap", Tap);
