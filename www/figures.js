// Live figures, refreshed a few times a second from the library's stats(): capture → send latency (when the
// build reports it), first-audio and clear latency, bytes each way, states and barge-ins.

const REFRESH_MS = 250;

const ms = (v) => (typeof v === "number" && Number.isFinite(v) ? `${v < 10 ? v.toFixed(1) : Math.round(v)} ms` : "—");

function bytes(v) {
  if (typeof v !== "number" || !Number.isFinite(v)) return "—";
  if (v < 1024) return `${v} B`;
  if (v < 1024 * 1024) return `${(v / 1024).toFixed(1)} KiB`;
  return `${(v / 1024 / 1024).toFixed(2)} MiB`;
}

/**
 * Renders into the <dd data-figure="..."> elements under `root`. `read()` returns
 * `{listen, speak, bargeIns, listenState, speakState, firstAudioMs}` (any of them may be missing).
 */
export function startFigures(root, read) {
  const cell = (name) => root.querySelector(`[data-figure="${name}"]`);
  const cells = Object.fromEntries(
    ["captureToSend", "firstAudio", "clear", "sent", "received", "listenState", "speakState", "bargeIns"]
      .map((n) => [n, cell(n)]),
  );
  const captureRow = cells.captureToSend.closest("div");

  function render() {
    let f;
    try {
      f = read();
    } catch {
      return; // a session being torn down: try again on the next tick
    }
    const listen = f.listen || {};
    const speak = f.speak || {};
    // Builds without capture timing omit the figure rather than show a number that means nothing.
    const c = listen.captureToSendMs;
    captureRow.hidden = !c;
    if (c) {
      const detail = document.createElement("span");
      detail.className = "figure-detail";
      detail.textContent = `p50 ${ms(c.p50)} · p99 ${ms(c.p99)}`;
      cells.captureToSend.replaceChildren(ms(c.last), detail);
    }
    cells.firstAudio.textContent = ms(f.firstAudioMs ?? speak.lastFirstAudioMs);
    cells.clear.textContent = ms(speak.lastClearMs);
    cells.sent.textContent = bytes(listen.sentBytes);
    cells.received.textContent = bytes(speak.receivedBytes);
    cells.listenState.textContent = f.listenState || "—";
    cells.speakState.textContent = f.speakState || "—";
    cells.bargeIns.textContent = f.bargeIns == null ? "—" : String(f.bargeIns);
  }

  render();
  const timer = setInterval(render, REFRESH_MS);
  return { render, stop: () => clearInterval(timer) };
}
