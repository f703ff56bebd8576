// The demo: wires the page to deepgram-live-wasm. Starting audio opens ONE VoiceSession (listen + speak, barge-in)
// on the page's one AudioContext; speaking without audio opens a Speaker alone on the same context. "Stop all"
// closes every connection, the microphone or test signal, and the AudioContext.
import init, { Speaker, VoiceSession } from "/pkg/index.js";
import { createCaptions } from "./captions.js";
import { createEventLog, summarize } from "./event-log.js";
import { startFigures } from "./figures.js";
import { startTestSignal } from "./signal.js";
import { defaultBaseUrl, readSettings } from "./settings.js";

const $ = (id) => document.getElementById(id);

// Every event of both halves except `audio` (the library plays it; the bytes are counted in stats()).
const LISTEN_EVENTS = ["open", "close", "error", "warning", "metadata", "unhandled", "transcript", "utteranceEnd",
  "speechStarted", "level"];
const SPEAK_EVENTS = ["open", "close", "error", "warning", "metadata", "unhandled", "flushed", "cleared",
  "playbackStart", "playbackEnd"];
const VOICE_EVENTS = [...new Set([...LISTEN_EVENTS, ...SPEAK_EVENTS])];
const ACTIVE = new Set(["connecting", "open"]);

const log = createEventLog($("log"));
const captions = createCaptions($("captions"));

// What is live. One AudioContext for everything: created on a click (browsers start audio only after a user
// gesture), shared by the session, the test signal and a lone Speaker, closed by "Stop all".
const live = {
  ctx: null,
  voice: null, // VoiceSession
  transcriber: null, // its listen half (cached: each getter call makes a new wrapper)
  speaker: null, // the Speaker in use: the session's speak half or a Speaker alone
  alone: false, // whether `speaker` is a Speaker alone (ours to close)
  signal: null,
  diarize: false,
  firstAudioMs: undefined,
  busy: false,
};

function setStatus(text, kind = "info") {
  const el = $("status");
  el.textContent = text;
  el.dataset.kind = kind;
}

function describe(e) {
  if (e && typeof e === "object") return `${e.kind ? `${e.kind}: ` : ""}${e.message ?? String(e)}`;
  return String(e);
}

function showError(e, context) {
  const text = `${context ? `${context}: ` : ""}${describe(e)}`;
  setStatus(text, "error");
  log.add("error", text);
}

function ensureContext() {
  if (!live.ctx || live.ctx.state === "closed") live.ctx = new AudioContext();
  return live.ctx;
}

const listenState = () => live.transcriber?.state ?? "idle";
const speakState = () => live.speaker?.state ?? "idle";

/** Handles an event of `source` (a session or a Speaker alone, possibly one already replaced). */
function onEvent(source, name, payload, half) {
  // A replaced session's late events (its close, mostly) are logged but must not touch the current one.
  const current = source === live.voice || source === live.speaker;
  switch (name) {
    case "level": {
      if (!current) return;
      const db = payload.rmsDb;
      // -60 dBFS .. 0 dBFS onto the meter: speech sits in the upper half.
      $("level").value = Math.min(1, Math.max(0, (db + 60) / 60));
      $("level-db").textContent = db <= -100 ? "silent" : `${db.toFixed(0)} dBFS`;
      return;
    }
    case "transcript":
      if (!current) return;
      captions.result(payload, { diarize: live.diarize });
      // Interim results change many times a second: only finals with words go to the log.
      if (payload.is_final && payload.channel?.alternatives?.[0]?.transcript) {
        log.add(name, summarize(name, payload), half, payload);
      }
      return;
    case "utteranceEnd":
      if (current) captions.utteranceEnd();
      break;
    case "playbackStart":
      if (current) live.firstAudioMs = payload.latencyMs ?? live.firstAudioMs;
      break;
    case "error":
      if (current) setStatus(`${half === "speak" ? "Speak" : "Listen"} error: ${describe(payload)}`, "error");
      break;
    case "close":
      if (current && half === "listen") {
        stopSignal();
        $("level").value = 0;
        $("level-db").textContent = "—";
        if ($("status").dataset.kind !== "error") setStatus(`Listen stream closed: ${payload.explanation || payload.code}`);
      } else if (current && half === "speak" && payload.code !== 1000) {
        // E.g. the server's 60-minute limit: the next speak() reopens the connection by itself.
        setStatus(`The speak connection closed (${payload.code}: ${payload.explanation || payload.reason}); ` +
          "the next Speak reconnects.");
      }
      break;
    default:
      break;
  }
  log.add(name, summarize(name, payload), half, payload);
  refreshControls();
}

function subscribe(target, names, half) {
  for (const name of names) target.on(name, (payload, from) => onEvent(target, name, payload, from || half));
}

function stopSignal() {
  live.signal?.stop();
  live.signal = null;
}

/** Closes the session and any Speaker alone; keeps the AudioContext for the next start. */
async function closeSessions() {
  stopSignal();
  const { voice, speaker, alone } = live;
  live.voice = null;
  live.transcriber = null;
  live.speaker = null;
  live.alone = false;
  await Promise.allSettled([voice?.close(), alone ? speaker?.close() : undefined]);
}

async function startAudio(kind) {
  const settings = readSettings();
  live.busy = true;
  refreshControls();
  try {
    await closeSessions();
    const ctx = ensureContext();
    let voice;
    try {
      voice = new VoiceSession({
        baseUrl: settings.baseUrl,
        auth: settings.auth,
        listen: settings.listen,
        speak: settings.speak,
        bargeIn: settings.bargeIn,
        audioContext: ctx,
      });
    } catch (e) {
      showError(e, "Options");
      return;
    }
    subscribe(voice, VOICE_EVENTS, "");
    live.voice = voice;
    live.transcriber = voice.transcriber;
    live.speaker = voice.speaker;
    live.diarize = settings.diarize;
    live.firstAudioMs = undefined;
    captions.clear();
    setStatus(`Connecting to ${settings.baseUrl} …`);
    await ctx.resume();
    if (kind === "signal") {
      live.signal = startTestSignal(ctx);
      await voice.start({ node: live.signal.node });
    } else {
      await voice.start();
    }
    setStatus(kind === "signal"
      ? "Listening to the test signal (DTMF digits 1 to 0): captions appear below."
      : "Listening to the microphone: speak, and captions appear below.");
  } catch (e) {
    stopSignal();
    showError(e, kind === "signal" ? "Starting the test signal" : "Starting the microphone");
  } finally {
    live.busy = false;
    refreshControls();
  }
}

async function stopAll() {
  live.busy = true;
  refreshControls();
  try {
    await closeSessions();
    const ctx = live.ctx;
    live.ctx = null;
    if (ctx && ctx.state !== "closed") await ctx.close();
    $("level").value = 0;
    $("level-db").textContent = "—";
    log.add("stop all", "connections, microphone, test signal and AudioContext released");
    setStatus("Stopped: every connection, the microphone and the audio output are released.");
  } catch (e) {
    showError(e, "Stopping");
  } finally {
    live.busy = false;
    refreshControls();
  }
}

/**
 * The Speaker to use: the session's speak half, else a Speaker alone (made on demand). Both reopen a connection
 * the server closed (e.g. at its time limit) on the next speak(), so they are kept until "Stop all".
 */
async function speakTarget() {
  if (live.voice && !live.alone) return live.voice;
  if (live.speaker && live.alone) return live.speaker;
  const settings = readSettings();
  const speaker = new Speaker({
    baseUrl: settings.baseUrl,
    auth: settings.auth,
    options: settings.speak,
    audioContext: ensureContext(),
  });
  subscribe(speaker, SPEAK_EVENTS, "speak");
  if (live.alone) live.speaker?.close();
  live.speaker = speaker;
  live.alone = true;
  live.firstAudioMs = undefined;
  setStatus(`Connecting the speaker to ${settings.baseUrl} …`);
  await live.ctx.resume();
  await speaker.start();
  setStatus("Speaker connected: text is spoken after Flush.");
  return speaker;
}

function action(name, run) {
  return async () => {
    try {
      await run();
    } catch (e) {
      showError(e, name);
    }
    refreshControls();
  };
}

const speak = action("speak()", async () => {
  const text = $("text").value.trim();
  if (!text) {
    setStatus("Type some text to speak first.", "error");
    $("text").focus();
    return;
  }
  const target = await speakTarget();
  target.speak(text);
  log.add("speak()", `${text.length} characters: "${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`);
});

const flush = action("flush()", async () => {
  const target = await speakTarget();
  const sequence = target.flush();
  log.add("flush()", `predicted sequence ${sequence}`, "", { sequence });
});

const clear = action("clear()", async () => {
  const target = live.voice && !live.alone ? live.voice : live.speaker;
  if (!target) return;
  const sequence = target.clear();
  log.add("clear()", `predicted sequence ${sequence}`, "", { sequence });
});

const closeSpeaker = action("close speaker", async () => {
  const speaker = live.speaker;
  if (!speaker) return;
  log.add("close()", "speak connection");
  await speaker.close();
});

// Buttons follow the connections' states, which change on their own (server closes, errors): refreshed on
// every event and a few times a second.
function refreshControls() {
  const loaded = document.body.dataset.ready === "true";
  const listening = ACTIVE.has(listenState());
  const speaking = ACTIVE.has(speakState());
  const set = (id, enabled) => {
    const el = $(id);
    const disabled = !enabled;
    if (el.disabled === disabled) return;
    // A keyboard user whose button just became disabled keeps their place in the panel.
    const hadFocus = document.activeElement === el;
    el.disabled = disabled;
    if (hadFocus) el.closest("section")?.querySelector("button:not(:disabled), input, textarea")?.focus();
  };
  set("start-mic", loaded && !live.busy && !listening);
  set("start-signal", loaded && !live.busy && !listening);
  set("stop", loaded && !live.busy && (live.voice !== null || live.speaker !== null || live.ctx !== null));
  for (const id of ["finalize", "close-stream", "keepalive"]) set(id, loaded && listenState() === "open");
  set("speak", loaded);
  set("flush", loaded);
  set("clear", loaded && speaking);
  set("close-speaker", loaded && speaking);
}

function figures() {
  const stats = live.voice?.stats();
  return {
    listen: stats?.listen,
    speak: live.alone ? live.speaker?.stats() : stats?.speak,
    bargeIns: stats?.bargeIns,
    listenState: live.transcriber?.state,
    speakState: live.speaker?.state,
    firstAudioMs: live.firstAudioMs,
  };
}

function bindControls() {
  $("connection").addEventListener("submit", (e) => e.preventDefault());
  $("start-mic").addEventListener("click", () => startAudio("microphone"));
  $("start-signal").addEventListener("click", () => startAudio("signal"));
  $("stop").addEventListener("click", stopAll);
  $("finalize").addEventListener("click", action("finalize()", () => {
    live.voice.finalize();
    log.add("finalize()", "listen");
  }));
  $("keepalive").addEventListener("click", action("keepAlive()", () => {
    live.voice.keepAlive();
    log.add("keepAlive()", "listen");
  }));
  $("close-stream").addEventListener("click", action("closeStream()", async () => {
    log.add("closeStream()", "waiting for the final metadata");
    const meta = await live.voice.closeStream();
    log.add("closeStream()", `done: ${summarize("metadata", meta)}`, "listen");
  }));
  $("speak").addEventListener("click", speak);
  $("flush").addEventListener("click", flush);
  $("clear").addEventListener("click", clear);
  $("close-speaker").addEventListener("click", closeSpeaker);
  $("bargeIn").addEventListener("change", (e) => {
    if (live.voice) live.voice.bargeIn = e.target.checked;
    log.add("bargeIn", e.target.checked ? "on: user speech clears playback" : "off");
  });
  $("clear-log").addEventListener("click", () => log.clear());
  // Ctrl+Enter (⌘+Enter) in the text box: speak and flush, the common case, without leaving the keyboard.
  $("text").addEventListener("keydown", async (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      await speak();
      await flush();
    }
  });
  window.addEventListener("pagehide", () => { closeSessions(); live.ctx?.close(); });
}

// For the end-to-end test and for poking at from the console.
window.demo = {
  get voice() { return live.voice; },
  get speaker() { return live.speaker; },
  get audioContext() { return live.ctx; },
  log: log.entries,
  captions: () => captions.text(),
};

$("baseUrl").value = defaultBaseUrl();
bindControls();
refreshControls();
setInterval(refreshControls, 250);
startFigures($("figures"), figures);
try {
  await init();
  document.body.dataset.ready = "true";
  setStatus("Ready. Start the microphone or the test signal, or type text and press Speak then Flush.");
} catch (e) {
  showError(e, "Loading the WebAssembly package");
}
refreshControls();
