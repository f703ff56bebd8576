// The in-browser half of `make bench`: measurements that only mean something in a real browser (wasm speed in
// each engine, the AudioWorklet and WebSocket paths). run.mjs calls these through `window.bench` and prints.
import init, { Transcriber, Speaker, benchResample } from "/pkg/deepgram_live_wasm.js";
import { createTap, collectTap } from "./tap.js";

const wasm = await init();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const serverUrl = () => location.origin;

function waitFor(target, event, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), timeoutMs);
    const f = (v) => {
      clearTimeout(t);
      target.off(event, f);
      resolve(v);
    };
    target.on(event, f);
  });
}

// ns per input sample of the fixed workload (best of `runs`), polyphase and the linear baseline. 20 s of audio
// per run: headless Chromium's performance.now() is coarse (0.1 ms steps), so a run must take many steps.
function resampleSpeed(kind, inRate, outRate, seconds = 20, runs = 7) {
  const blocks = Math.round((inRate * seconds) / 128);
  benchResample(kind, inRate, outRate, 64); // warm-up (compile tiers, tables)
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    benchResample(kind, inRate, outRate, blocks);
    best = Math.min(best, (performance.now() - t0) * 1e6 / (blocks * 128));
  }
  return best;
}

// Fake microphone → Transcriber for `seconds`; the Transcriber's own capture → send() histogram. `rate`: the
// context's rate, or null for the engine's own.
async function captureToSend(seconds, frameMs, rate) {
  const ctx = new AudioContext(rate ? { sampleRate: rate } : {});
  const t = new Transcriber({ baseUrl: serverUrl(), auth: {}, options: { model: "nova-3" }, frameMs });
  await t.start({
    microphone: { echoCancellation: false, noiseSuppression: false, autoGainControl: false },
    audioContext: ctx,
  });
  await sleep(seconds * 1000);
  const stats = t.stats();
  await t.closeStream().catch(() => {});
  await ctx.close();
  return stats.captureToSendMs;
}

function loudAfter(samples, from, to) {
  let n = 0;
  for (let i = Math.max(0, from); i < Math.min(samples.length, to); i++) if (Math.abs(samples[i]) > 1e-6) n++;
  return n;
}

// `cycles` of speak → first sample out → clear mid-utterance, with every output sample recorded by a tap:
// first-audio latency (first audio bytes received → first sample rendered), clear latency (clear() → the
// worklet's report that the output is silent, wall clock; and in context time, from the context's current time
// at the call to the end of the fade), and stale samples (anything audible between the end of a clear's fade and
// the next utterance's first sample). A new connection every 18 cycles keeps under the 20-Flushes-per-minute budget.
async function speakClearCycles(cycles) {
  const ctx = new AudioContext({ sampleRate: 48000 });
  const tap = await createTap(ctx, cycles * 1.6 + 4);
  const firstAudio = [];
  const clearMs = [];
  const clearCtxMs = [];
  const windows = []; // [silentFromFrame, nextStartFrame]
  let silentFrom = null;
  let sp = null;
  for (let i = 0; i < cycles; i++) {
    if (i % 18 === 0) {
      if (sp) await sp.close();
      sp = new Speaker({ baseUrl: serverUrl(), auth: {}, options: { model: "aura-2-thalia-en", sample_rate: 24000 },
        audioContext: ctx, destination: tap });
      await sp.start();
      silentFrom = null;
    }
    sp.speak("1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0");
    sp.flush();
    const start = await waitFor(sp, "playbackStart");
    if (silentFrom !== null) windows.push([silentFrom, Math.round(start.contextTime * ctx.sampleRate)]);
    if (start.latencyMs !== null) firstAudio.push(start.latencyMs);
    await sleep(150 + (i % 5) * 40);
    const cleared = waitFor(sp, "cleared");
    const callTime = ctx.currentTime;
    sp.clear();
    const c = await cleared;
    clearMs.push(sp.stats().lastClearMs);
    clearCtxMs.push((c.silentAt - callTime) * 1000);
    silentFrom = Math.round(c.silentAt * ctx.sampleRate);
  }
  const t = await collectTap(tap);
  let stale = 0;
  for (const [from, to] of windows) stale += loudAfter(t.samples, from - t.first, to - t.first);
  await sp.close();
  await ctx.close();
  return { firstAudio, clearMs, clearCtxMs, stale, windows: windows.length };
}

// Heap before and after `seconds` of speak/clear cycles (no tap: the tap's recording would dominate).
async function soak(seconds) {
  const ctx = new AudioContext({ sampleRate: 48000 });
  const measure = () => {
    if (typeof gc === "function") gc();
    return {
      js: performance.memory ? performance.memory.usedJSHeapSize : NaN,
      wasm: wasm.memory.buffer.byteLength,
    };
  };
  const sp = new Speaker({ baseUrl: serverUrl(), auth: {}, options: { model: "aura-2-thalia-en" }, audioContext: ctx });
  await sp.start();
  // One warm-up cycle so lazily created buffers exist before the first reading.
  sp.speak("1 2 3");
  sp.flush();
  await waitFor(sp, "playbackEnd");
  await sleep(200);
  const before = measure();
  const end = performance.now() + seconds * 1000;
  let cycles = 0;
  while (performance.now() < end) {
    sp.speak("1 2 3 4 5 6 7 8 9 0");
    sp.flush();
    await waitFor(sp, "playbackStart");
    await sleep(100);
    const cleared = waitFor(sp, "cleared");
    sp.clear();
    await cleared;
    cycles++;
    // Stay under the 20-Flushes-per-minute budget of the real service.
    await sleep(3000);
  }
  await sleep(500);
  const after = measure();
  const stats = sp.stats();
  await sp.close();
  await ctx.close();
  return { before, after, cycles, discardedBytes: stats.discardedBytes };
}

window.bench = { resampleSpeed, captureToSend, speakClearCycles, soak };
window.benchReady = true;
