// A minimal app that uses the packed package the way an npm user would: a bare import resolved by Vite, the
// default init() (the .wasm and the worklet files found through `new URL(..., import.meta.url)`), a Transcriber
// on the microphone, and a Speaker whose rendered output a tap records (for the test to decode its digits). The
// server URL comes from the query string so the test can point it at the local server.
import init, { Speaker, Transcriber } from "deepgram-live-wasm";

const status = document.getElementById("status");
const transcript = document.getElementById("transcript");
const played = document.getElementById("played");
const server = new URLSearchParams(location.search).get("server");

/** Speaks "1 2 3" through a tap node; the tap's samples end up in window.playedAudio as {rate, pcm: base64 f32}. */
async function speak() {
  const ctx = new AudioContext();
  await ctx.audioWorklet.addModule("/tap-processor.js");
  const tap = new AudioWorkletNode(ctx, "tap", {
    channelCount: 1, channelCountMode: "explicit", outputChannelCount: [1],
    processorOptions: { capacity: ctx.sampleRate * 10 },
  });
  tap.connect(ctx.destination);
  const tts = new Speaker({
    baseUrl: server, auth: {}, options: { model: "aura-2-thalia-en", encoding: "linear16", sample_rate: 24000 },
    audioContext: ctx, destination: tap,
  });
  tts.on("error", (e) => { played.textContent = `error ${e.kind}: ${e.message}`; });
  tts.on("playbackEnd", () => {
    tap.port.onmessage = (e) => {
      const bytes = new Uint8Array(e.data.buffer);
      let binary = "";
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      window.playedAudio = { rate: ctx.sampleRate, pcm: btoa(binary) };
      played.textContent = `played ${e.data.length} samples at ${ctx.sampleRate} Hz`;
    };
    tap.port.postMessage("get");
  });
  tts.speak("1 2 3");
  tts.flush();
}

async function main() {
  await init();
  const stt = new Transcriber({ baseUrl: server, auth: {}, options: { model: "nova-3" } });
  // For the test's failure messages.
  window.transcriber = stt;
  let finals = "";
  let speaking = false;
  stt.on("transcript", (r) => {
    const text = r.channel.alternatives[0].transcript;
    if (r.is_final && text) {
      finals += (finals ? " " : "") + text;
      transcript.textContent = finals;
      // Once a few words are in, answer (while the microphone goes on).
      if (!speaking && finals.split(" ").length >= 4) {
        speaking = true;
        speak().catch((e) => { played.textContent = `failed: ${e && e.message ? e.message : e}`; });
      }
    }
  });
  stt.on("error", (e) => { status.textContent = `error ${e.kind}: ${e.message}`; });
  // The microphone is a DTMF recording: steady tones, which the browsers' voice processing (noise suppression,
  // echo cancellation, gain control: on by default) treats as noise. WebKit's removes them almost entirely.
  await stt.start({ microphone: { echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
  status.textContent = "listening";
}

main().catch((e) => {
  status.textContent = `failed: ${e && e.kind ? e.kind + ": " : ""}${e && e.message ? e.message : e}`;
});
