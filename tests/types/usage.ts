// Typed usage of deepgram-live-wasm, checked by `node_modules/.bin/tsc -p tests/types` against
// pkg-template/index.d.ts. The first half is what an app writes and must compile; every `@ts-expect-error` line in
// the second half is a mistake the declarations must catch (tsc fails on an unused `@ts-expect-error`, so each one
// proves the declarations reject that mistake). Nothing here runs.
import init, {
  Transcriber,
  Speaker,
  VoiceSession,
  type ClosePayload,
  type DeepgramLiveError,
  type ListenOptions,
  type Metadata,
  type Results,
  type SpeakerStats,
  type TranscriberStats,
  type WarningPayload,
} from "deepgram-live-wasm";

declare const tokenFromYourServer: string;
declare const button: HTMLButtonElement;
declare function show(text: string): void;

export async function transcribe(): Promise<Metadata> {
  await init();
  await init({ module_or_path: new URL("/assets/deepgram_live_wasm_bg.wasm", location.href) });

  const options: ListenOptions = {
    model: "nova-3",
    language: "en",
    interim_results: true,
    endpointing: 300,
    utterance_end_ms: 1000,
    vad_events: true,
    smart_format: true,
    diarize: true,
    keyterm: ["Deepgram", "WebAssembly"],
    redact: ["pci", "ssn"],
    extra_query: { new_param: "x", repeated: [1, 2] },
  };
  const stt = new Transcriber({
    baseUrl: "wss://api.deepgram.com",
    auth: { accessToken: tokenFromYourServer },
    options,
    keepAliveMs: 3000,
    frameMs: 20,
    worklet: "file",
    microphone: { echoCancellation: true, deviceId: "default" },
  });

  let finals = "";
  stt
    .on("open", (o) => console.log("open, subprotocol", o.protocol))
    .on("transcript", (r) => {
      const best = r.channel.alternatives[0];
      const text: string = best.transcript;
      const speakers: Array<number | undefined> = best.words.map((w) => w.speaker);
      console.log(speakers, r.start, r.duration);
      if (r.is_final) finals += text;
      else show(text);
      if (r.speech_final || r.from_finalize) show(finals);
    })
    .on("utteranceEnd", (u) => console.log(u.last_word_end, u.channel[0]))
    .on("speechStarted", (s) => console.log(s.timestamp))
    .on("level", (l) => console.log(l.rms, l.peakDb))
    .on("metadata", (m) => console.log(m.request_id, m.duration, m.sha256))
    .on("warning", (w: WarningPayload) => {
      if (w.code === "backpressure" || w.code === "audio_dropped") console.warn(w.message);
    })
    .on("error", (e) => {
      if (e.kind === "server") console.error(e.server?.description);
    })
    .on("close", (c: ClosePayload) => console.log(c.code, c.wasClean, c.explanation));

  const onResult = (r: Results) => console.log(r.channel.alternatives[0].confidence);
  stt.on("transcript", onResult);
  stt.off("transcript", onResult);
  stt.off("level");

  try {
    await stt.start({ microphone: true });
  } catch (e) {
    const err = e as DeepgramLiveError;
    if (err.kind === "handshake" || err.kind === "audio") throw err;
  }
  const ctx = new AudioContext();
  const other = new Transcriber({ auth: {}, baseUrl: "http://127.0.0.1:8080" });
  await other.start({ node: ctx.createOscillator(), audioContext: ctx });
  const own = new Transcriber({ options: { encoding: "linear16", sample_rate: 16000, channels: 1 } });
  await own.start();
  own.sendAudio(new Int16Array(320));
  own.sendAudio(new ArrayBuffer(640));

  stt.pause();
  stt.resume();
  stt.keepAlive();
  stt.finalize();
  const stats: TranscriberStats = stt.stats();
  console.log(stats.capturedFrames, stats.sentBytes ?? 0, stats.captureToSendMs?.p99, stt.state === "open");
  other.close();
  return stt.closeStream();
}

export function speak(): Speaker {
  const tts = new Speaker({
    baseUrl: "ws://127.0.0.1:8080",
    auth: {},
    options: { model: "aura-2-thalia-en", encoding: "linear16", sample_rate: 24000, speed: 1.1 },
    volume: 0.8,
    preRollMs: 60,
    bufferMs: 2000,
    clearFadeMs: 5,
  });
  button.onclick = async () => {
    await tts.start();
    tts.speak("Hello there.");
    const id: number = tts.flush();
    tts.on("playbackEnd", (e) => {
      if (e.sequenceId === id) console.log("spoke", e.durationMs, "ms");
    });
  };
  tts.on("playbackStart", (e) => console.log(e.latencyMs ?? "unknown", e.contextTime));
  tts.on("flushed", (f) => console.log(f.sequence_id));
  tts.on("cleared", (c) => console.log(c.playedMs, c.interruptedSequenceId));
  tts.on("audio", (a) => console.log(a.data.byteLength, a.encoding, a.sampleRate));
  tts.on("metadata", (m) => console.log(m.model_name));
  tts.on("unhandled", (u) => console.log(typeof u === "string" ? u : u.type));
  tts.volume = 2;
  const s: SpeakerStats = tts.stats();
  console.log(s.sampleRate, s.underruns, tts.playing, tts.audioContext?.sampleRate);
  void tts.setSinkId("default");
  tts.clear();
  void tts.close();
  return tts;
}

export async function converse(): Promise<void> {
  const voice = new VoiceSession({
    auth: { apiKey: "for-local-tools-only" },
    listen: { model: "nova-3", interim_results: true, utterance_end_ms: 1000 },
    speak: { model: "aura-2-thalia-en" },
    bargeIn: true,
    keepAliveMs: 4000,
    volume: 1,
    microphone: { echoCancellation: true },
  });
  voice.on("transcript", (r, half) => {
    const listening: "listen" = half;
    if (r.speech_final) voice.speak(r.channel.alternatives[0].transcript);
    console.log(listening);
  });
  voice.on("metadata", (m, half) => {
    // Checking the half narrows the payload.
    if (half === "listen") console.log(m.duration);
    else console.log(m.model_name);
  });
  voice.on("error", (e, half) => console.error(half, e.kind, e.message));
  voice.on("cleared", (c) => console.log(c.playedMs));
  await voice.start();
  await voice.start({ microphone: { deviceId: "x" } });
  voice.flush();
  voice.finalize();
  voice.bargeIn = false;
  console.log(voice.stats().bargeIns, voice.stats().listen.sentBytes, voice.transcriber.state, voice.speaker.volume);
  const meta: Metadata = await voice.closeStream();
  console.log(meta.duration);
  await voice.close();
}

// ----- Mistakes the declarations must catch -----

export function mistakes(stt: Transcriber, tts: Speaker, voice: VoiceSession): void {
  // @ts-expect-error unknown event name
  stt.on("transcripts", () => {});
  // @ts-expect-error a Speaker event on a Transcriber
  stt.on("playbackEnd", () => {});
  // @ts-expect-error unknown event name on a Speaker
  tts.on("transcript", () => {});
  // @ts-expect-error wrong payload field: the text is `transcript`
  stt.on("transcript", (r) => console.log(r.channel.alternatives[0].text));
  // @ts-expect-error wrong payload field: `is_final` is snake_case
  stt.on("transcript", (r) => console.log(r.isFinal));
  // @ts-expect-error the Metadata of a Transcriber has no `model_name`
  stt.on("metadata", (m) => console.log(m.model_name));
  // @ts-expect-error `playbackEnd` carries `sequenceId`, not the server's `sequence_id`
  tts.on("playbackEnd", (e) => console.log(e.sequence_id));
  // @ts-expect-error a level is a number
  stt.on("level", (l) => l.rms.toUpperCase());
  voice.on("metadata", (m, half) => {
    // @ts-expect-error the speak half's Metadata has no `duration`
    if (half === "speak") console.log(m.duration);
  });
  // @ts-expect-error wrong option type: interim_results is a boolean
  new Transcriber({ options: { interim_results: "yes" } });
  // @ts-expect-error unknown option name (the runtime would throw: did you mean "model"?)
  new Transcriber({ options: { modle: "nova-3" } });
  // @ts-expect-error endpointing is milliseconds or false, not true
  new Transcriber({ options: { endpointing: true } });
  // @ts-expect-error not a listen encoding
  new Transcriber({ options: { encoding: "wav", sample_rate: 16000 } });
  // @ts-expect-error keepAliveMs is a number
  new Transcriber({ keepAliveMs: "4000" });
  // @ts-expect-error the listen options of a Transcriber are `options`, not `listen`
  new Transcriber({ listen: { model: "nova-3" } });
  // @ts-expect-error not both an API key and a token
  new Transcriber({ auth: { apiKey: "k", accessToken: "t" } });
  // @ts-expect-error `api_key` is not an auth key
  new Transcriber({ auth: { api_key: "k" } });
  // @ts-expect-error 44100 Hz is not a speak rate
  new Speaker({ options: { sample_rate: 44100 } });
  // @ts-expect-error speak encodings are linear16, mulaw and alaw
  new Speaker({ options: { encoding: "mp3" } });
  // @ts-expect-error a VoiceSession takes `listen` and `speak`, not `options`
  new VoiceSession({ options: { model: "nova-3" } });
  // @ts-expect-error one source at a time
  void stt.start({ microphone: true, stream: new MediaStream() });
  // @ts-expect-error speak() takes text
  tts.speak(123);
  // @ts-expect-error closeStream() resolves with Metadata, not a string
  void stt.closeStream().then((m: string) => m);
  // @ts-expect-error state is read-only
  stt.state = "open";
  // @ts-expect-error sendAudio takes bytes
  stt.sendAudio("audio");
}
