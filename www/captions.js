// Live captions: the interim result in grey, replaced in place; final results in black, appended. With diarize,
// final text is grouped by the `speaker` its words carry ("Speaker 0: ..."). A line ends at `speech_final` or
// `UtteranceEnd`, so each utterance reads as its own line.

// Old lines are dropped past this many: a demo left running for an hour must not grow the page without bound.
const MAX_LINES = 100;

/** Renders captions into `root` (a role="log" aria-live region); `root` gets a final-lines list and an interim line. */
export function createCaptions(root) {
  const lines = document.createElement("div");
  lines.className = "caption-lines";
  // The interim text changes several times a second: screen readers would read every version, so only finals
  // are announced (the live region reads additions; this line is hidden from it).
  const interim = document.createElement("p");
  interim.className = "caption-interim";
  interim.setAttribute("aria-hidden", "true");
  root.replaceChildren(lines, interim);
  let open = null; // the line finals are appended to: {speaker, el, text}

  function updateEmpty() {
    root.toggleAttribute("data-empty", lines.childElementCount === 0 && !interim.textContent);
  }

  function newLine(speaker) {
    const el = document.createElement("p");
    el.className = "caption-line";
    if (speaker !== null) {
      const label = document.createElement("span");
      label.className = "caption-speaker";
      label.textContent = `Speaker ${speaker}: `;
      el.append(label);
    }
    const text = document.createElement("span");
    text.className = "caption-text";
    el.append(text);
    lines.append(el);
    while (lines.childElementCount > MAX_LINES) lines.firstElementChild.remove();
    open = { speaker, el, text };
    return open;
  }

  function append(speaker, text) {
    const line = open && open.speaker === speaker ? open : newLine(speaker);
    line.text.textContent += (line.text.textContent ? " " : "") + text;
  }

  /** Splits a result into runs of one speaker (one run with speaker null without diarize). */
  function segments(alt, diarize) {
    const words = alt.words || [];
    if (!diarize || !words.some((w) => typeof w.speaker === "number")) {
      return alt.transcript ? [{ speaker: null, text: alt.transcript }] : [];
    }
    const out = [];
    for (const w of words) {
      const word = w.punctuated_word || w.word;
      const last = out[out.length - 1];
      const speaker = typeof w.speaker === "number" ? w.speaker : null;
      if (last && last.speaker === speaker) last.text += ` ${word}`;
      else out.push({ speaker, text: word });
    }
    return out;
  }

  updateEmpty();
  return {
    /** A `transcript` event (Deepgram's Results object). */
    result(r, { diarize }) {
      const alt = r.channel?.alternatives?.[0];
      if (!alt) return;
      const runs = segments(alt, diarize);
      if (r.is_final) {
        interim.textContent = "";
        for (const run of runs) append(run.speaker, run.text);
        if (r.speech_final) open = null;
      } else {
        interim.textContent = runs
          .map((run) => (run.speaker === null ? run.text : `Speaker ${run.speaker}: ${run.text}`))
          .join(" ");
      }
      updateEmpty();
    },
    /** An `utteranceEnd` event: the next final starts a new line. */
    utteranceEnd() {
      open = null;
    },
    clear() {
      lines.replaceChildren();
      interim.textContent = "";
      open = null;
      updateEmpty();
    },
    /** Everything shown, finals then interim (for tests). */
    text() {
      return [...lines.children].map((p) => p.textContent).concat(interim.textContent).join("\n").trim();
    },
  };
}
