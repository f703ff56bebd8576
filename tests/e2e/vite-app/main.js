// A minimal app that uses the packed package the way an npm user would: a bare import resolved by Vite, the
// default init() (the .wasm and the worklet files found through `new URL(..., import.meta.url)`), a Transcriber
// on the microphone. The server URL comes from the query string so the test can point it at the local server.
import init, { Transcriber } from "deepgram-live-wasm";

const status = document.getElementById("status");
const transcript = document.getElementById("transcript");
const server = new URLSearchParams(location.search).get("server");

async function main() {
  await init();
  const stt = new Transcriber({ baseUrl: server, auth: {}, options: { model: "nova-3" } });
  let finals = "";
  stt.on("transcript", (r) => {
    const text = r.channel.alternatives[0].transcript;
    if (r.is_final && text) {
      finals += (finals ? " " : "") + text;
      transcript.textContent = finals;
    }
  });
  stt.on("error", (e) => { status.textContent = `error ${e.kind}: ${e.message}`; });
  await stt.start({ microphone: true });
  status.textContent = "listening";
}

main().catch((e) => {
  status.textContent = `failed: ${e && e.kind ? e.kind + ": " : ""}${e && e.message ? e.message : e}`;
});
