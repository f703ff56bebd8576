// Records, sample-exact on the render thread, everything that reaches a node: what the playback node actually
// output, and when (context frames). Used by the browser tests (tests/browser/speak.rs) and the browser benchmark.
const TAP_SOURCE = `
class TestTap extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.buf = new Float32Array(options.processorOptions.capacity);
    this.n = 0;
    this.first = -1;
    this.port.onmessage = (e) => {
      if (e.data === "get") this.port.postMessage({ samples: this.buf.slice(0, this.n), first: this.first });
    };
  }
  process(inputs) {
    if (this.first < 0) this.first = currentFrame;
    // Written at the quantum's own frame, so a quantum the browser did not run for this node leaves zeros
    // instead of shifting everything after it.
    const at = currentFrame - this.first;
    const ch = inputs[0] && inputs[0][0];
    const k = Math.max(0, Math.min(128, this.buf.length - at));
    if (ch && k > 0) this.buf.set(ch.subarray(0, k), at);
    this.n = Math.max(this.n, at + k);
    return true;
  }
}
registerProcessor("test-tap", TestTap);
`;

// `promise`, or a rejection naming `what` and the context's state once `ms` have passed: a context the engine
// never starts would otherwise leave a test waiting until the runner's timeout, with no word of where.
function within(promise, ms, what, ctx) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms (AudioContext ${ctx.state}, ` +
      `currentTime ${ctx.currentTime.toFixed(3)} s)`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export async function createTap(ctx, seconds) {
  if (!ctx.__testTapLoaded) {
    const url = URL.createObjectURL(new Blob([TAP_SOURCE], { type: "text/javascript" }));
    await within(ctx.audioWorklet.addModule(url), 10000, "the tap's addModule()", ctx);
    ctx.__testTapLoaded = true;
  }
  const node = new AudioWorkletNode(ctx, "test-tap", {
    numberOfInputs: 1,
    numberOfOutputs: 1,
    outputChannelCount: [1],
    channelCount: 1,
    channelCountMode: "explicit",
    processorOptions: { capacity: Math.ceil(seconds * ctx.sampleRate) },
  });
  node.connect(ctx.destination);
  return node;
}

// Resolves with {samples: Float32Array, first: context frame of samples[0]}.
export function collectTap(node) {
  const got = new Promise((resolve) => {
    node.port.onmessage = (e) => resolve(e.data);
    node.port.postMessage("get");
  });
  return within(got, 10000, "the tap's recording", node.context);
}

// The context's current frame as the main thread sees it.
export function contextFrame(ctx) {
  return Math.round(ctx.currentTime * ctx.sampleRate);
}
