// The event log: one line per event (time, name, which half, a short summary), newest at the top, bounded.
// Calls the demo makes (`flush()`, `clear()`, ...) are logged too, with "()" so they never read as events.

const MAX_ENTRIES = 200;

const fixed = (v, digits = 0) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : "?");

/** One line saying what matters in an event's payload. */
export function summarize(name, p) {
  if (p === null || typeof p !== "object") return p === undefined ? "" : String(p);
  switch (name) {
    case "open":
      return p.protocol ? `subprotocol ${p.protocol}` : "connected";
    case "close":
      return `${p.code}${p.wasClean ? "" : " (not clean)"}: ${p.explanation || p.reason || ""}`;
    case "error":
      return `${p.kind}: ${p.message}`;
    case "warning":
      return `${p.code}: ${p.message}`;
    case "metadata":
      return "duration" in p
        ? `duration ${fixed(p.duration, 2)} s, ${p.channels ?? 1} channel(s)`
        : `model ${p.model_name ?? "?"} ${p.model_version ?? ""}`.trim();
    case "transcript": {
      const text = p.channel?.alternatives?.[0]?.transcript ?? "";
      return `${p.speech_final ? "speech final" : "final"}${p.from_finalize ? " (finalize)" : ""}: ${text || "(silence)"}`;
    }
    case "utteranceEnd":
      return `last word ended at ${fixed(p.last_word_end, 2)} s`;
    case "speechStarted":
      return `at ${fixed(p.timestamp, 2)} s`;
    case "flushed":
      return `sequence ${p.sequence_id}`;
    case "cleared":
      return `sequence ${p.sequence_id}, heard ${fixed(p.playedMs)} ms` +
        `${p.interruptedSequenceId == null ? "" : ` of segment ${p.interruptedSequenceId}`}` +
        `, discarded ${p.discardedBytes ?? 0} B + ${p.discardedSamples ?? 0} samples`;
    case "playbackStart":
      return `sequence ${p.sequenceId ?? "?"}, first audio after ${fixed(p.latencyMs)} ms`;
    case "playbackEnd":
      return `sequence ${p.sequenceId ?? "?"}, played ${fixed(p.durationMs)} ms`;
    case "unhandled":
      return `type ${p.type ?? "?"}`;
    default:
      return "";
  }
}

function clock(d) {
  const two = (n) => String(n).padStart(2, "0");
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, "0")}`;
}

/** Logs into `list` (an <ol>). `entries` holds the same lines (with payloads), oldest first, for tests. */
export function createEventLog(list) {
  const entries = [];
  return {
    entries,
    /** Adds a line; `half` is "listen", "speak" or "" (the demo itself); `payload` is kept in `entries` only. */
    add(name, summary = "", half = "", payload = undefined) {
      const time = new Date();
      entries.push({ time: time.getTime(), name, half, summary, payload });
      if (entries.length > MAX_ENTRIES) entries.shift();
      const li = document.createElement("li");
      li.dataset.event = name;
      if (name === "error") li.className = "log-error";
      else if (name === "warning") li.className = "log-warning";
      const t = document.createElement("time");
      t.dateTime = time.toISOString();
      t.textContent = clock(time);
      const n = document.createElement("span");
      n.className = "log-name";
      n.textContent = name;
      li.append(t, " ", n);
      if (half) {
        const h = document.createElement("span");
        h.className = "log-half";
        h.textContent = half;
        li.append(" ", h);
      }
      if (summary) {
        const s = document.createElement("span");
        s.className = "log-summary";
        s.textContent = summary;
        li.append(" ", s);
      }
      list.prepend(li);
      while (list.childElementCount > MAX_ENTRIES) list.lastElementChild.remove();
    },
    clear() {
      entries.length = 0;
      list.replaceChildren();
    },
  };
}
