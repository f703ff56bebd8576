// The demo: plain ES modules, the package served by the local server at /pkg/.
import init, { Transcriber } from "/pkg/deepgram_live_wasm.js";

const $ = (id) => document.getElementById(id);
$("baseUrl").value = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}`;

let stt = null;
let testSignal = null;

function log(name, detail) {
  const li = document.createElement("li");
  li.textContent = `${new Date().toLocaleTimeString()} ${name}${detail ? " " + detail : ""}`;
  $("log").prepend(li);
}

function setRunning(running) {
  $("start").disabled = running;
  $("test-signal").disabled = running;
  for (const id of ["finalize", "keepalive", "stop"]) $(id).disabled = !running;
}

function authFromInput() {
  const secret = $("secret").value.trim();
  if (!secret) return {};
  // A JWT (three dot-separated parts) is an access token; anything else an API key.
  return secret.split(".").length === 3 ? { accessToken: secret } : { apiKey: secret };
}

/// DTMF digits from oscillators, for machines without a microphone (the local server transcribes them).
function makeTestSignal(ctx) {
  const keys = { 1: [697, 1209], 2: [697, 1336], 3: [697, 1477], 4: [770, 1209], 5: [770, 1336], 6: [770, 1477], 7: [852, 1209], 8: [852, 1336], 9: [852, 1477], 0: [941, 1336] };
  const out = ctx.createGain();
  out.gain.value = 0;
  const a = ctx.createOscillator();
  const b = ctx.createOscillator();
  a.connect(out);
  b.connect(out);
  const t0 = ctx.currentTime + 0.3;
  "1234567890".split("").forEach((k, i) => {
    const t = t0 + i * 0.4;
    a.frequency.setValueAtTime(keys[k][0], t);
    b.frequency.setValueAtTime(keys[k][1], t);
    out.gain.setValueAtTime(0.25, t);
    out.gain.setValueAtTime(0, t + 0.15);
  });
  a.start();
  b.start();
  return { node: out, stop: () => { a.stop(); b.stop(); } };
}

async function start(useTestSignal) {
  let finals = "";
  try {
    stt = new Transcriber({
      baseUrl: $("baseUrl").value,
      auth: authFromInput(),
      options: { model: $("model").value, interim_results: true, endpointing: 300, smart_format: true },
    });
  } catch (e) {
    log("error", `${e.kind}: ${e.message}`);
    return;
  }
  stt.on("open", () => log("open"));
  stt.on("transcript", (r) => {
    const text = r.channel.alternatives[0].transcript;
    if (r.is_final) {
      if (text) finals += (finals ? " " : "") + text;
      $("finals").textContent = finals;
      $("interim").textContent = "";
    } else {
      $("interim").textContent = text;
    }
  });
  stt.on("metadata", (m) => log("metadata", `duration ${m.duration} s`));
  stt.on("warning", (w) => log("warning", `${w.code}: ${w.message}`));
  stt.on("error", (e) => log("error", `${e.kind}: ${e.message}`));
  stt.on("level", (l) => { $("level").value = Math.min(1, l.rms * 4); });
  stt.on("close", (c) => { log("close", `${c.code} ${c.explanation}`); setRunning(false); testSignal?.stop(); });
  setRunning(true);
  try {
    if (useTestSignal) {
      const ctx = new AudioContext();
      testSignal = makeTestSignal(ctx);
      await stt.start({ node: testSignal.node, audioContext: ctx });
    } else {
      await stt.start({ microphone: true });
    }
  } catch (e) {
    log("error", `${e.kind}: ${e.message}`);
    setRunning(false);
  }
}

await init();
$("start").addEventListener("click", () => start(false));
$("test-signal").addEventListener("click", () => start(true));
$("finalize").addEventListener("click", () => stt?.finalize());
$("keepalive").addEventListener("click", () => { stt?.keepAlive(); log("keepAlive sent"); });
$("stop").addEventListener("click", async () => {
  try { await stt?.closeStream(); } catch (e) { log("error", e.message); }
});
