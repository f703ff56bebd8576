// Reads the connection panel into the library's options. The key or token is read from its field when a
// connection starts and handed to the library (which sends it as a WebSocket subprotocol): never stored,
// never put in a URL, never logged.

const $ = (id) => document.getElementById(id);

/** The page's own server as a WebSocket URL (the local server serves the demo and the APIs). */
export function defaultBaseUrl() {
  return location.origin.replace(/^http/, "ws");
}

/** A JWT (three base64url parts) is an access token from /v1/auth/grant; anything else an API key. */
function authFrom(secret) {
  if (!secret) return {};
  return /^[\w-]+\.[\w-]+\.[\w-]+$/.test(secret) ? { accessToken: secret } : { apiKey: secret };
}

/** The panel's current values as `{baseUrl, auth, listen, speak, bargeIn, diarize}`. */
export function readSettings() {
  const interim = $("interim").checked;
  const diarize = $("diarize").checked;
  const listen = {
    model: $("model").value,
    interim_results: interim,
    diarize,
    smart_format: true,
    endpointing: 300,
    vad_events: true,
  };
  // Deepgram refuses utterance_end_ms without interim results.
  if (interim) listen.utterance_end_ms = 1000;
  return {
    baseUrl: $("baseUrl").value.trim(),
    auth: authFrom($("secret").value.trim()),
    listen,
    speak: { model: $("voice").value.trim() || "aura-2-thalia-en" },
    bargeIn: $("bargeIn").checked,
    diarize,
  };
}
