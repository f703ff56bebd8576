// Shared plumbing for the end-to-end tests and the browser benchmarks: the local server, Debian's Chromium driven
// by playwright-core (never a downloaded browser), and Chromium's fake microphone fed from a generated DTMF WAV.
//
// The callers' shell scripts build what this needs first: the release server and dtmf-wav binaries
// (`cargo build --release -p deepgram-live-server -p dtmf`) and, where a page loads the package, `pkg/`.
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TARGET = path.resolve(ROOT, process.env.CARGO_TARGET_DIR || "target");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/** Writes a DTMF WAV for the fake microphone and returns its path (keys and timing as the browser tests use). */
export function fakeMicWav({ rate = 48000, keys = "1234567890", file } = {}) {
  const dir = path.join(TARGET, "e2e");
  mkdirSync(dir, { recursive: true });
  const out = file || path.join(dir, `fake-mic-${rate}.wav`);
  execFileSync(path.join(TARGET, "release", "dtmf-wav"), [
    "--rate", String(rate), "--keys", keys, "--tone-ms", "120", "--gap-ms", "230",
    "--lead-ms", "500", "--tail-ms", "1500", "--amplitude", "0.5", "--out", out,
  ], { stdio: ["ignore", "ignore", "inherit"] });
  return out;
}

/**
 * Starts the local Deepgram-compatible server on a free port. Resolves with {url, wsUrl, port, stop()}.
 * `args` are extra flags, e.g. ["--www", "www", "--pkg", "pkg"].
 */
export function startServer(args = [], { quiet = true } = {}) {
  const bin = path.join(TARGET, "release", "deepgram-live-server");
  const child = spawn(bin, ["--host", "127.0.0.1", "--port", "0", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", quiet ? "ignore" : "inherit"],
  });
  return new Promise((resolve, reject) => {
    let buf = "";
    const timer = setTimeout(() => reject(new Error("the local server printed no address within 10 s")), 10_000);
    child.on("exit", (code) => reject(new Error(`the local server exited with ${code}`)));
    child.stdout.on("data", (d) => {
      buf += d.toString();
      const m = buf.match(/http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        child.stdout.removeAllListeners("data");
        child.stdout.resume();
        const port = Number(m[1]);
        resolve({
          url: `http://127.0.0.1:${port}`,
          wsUrl: `ws://127.0.0.1:${port}`,
          port,
          // A server that already exited (crashed mid-test) emits no second "exit": resolve at once, not never.
          stop: () => (child.exitCode !== null || child.signalCode !== null
            ? Promise.resolve()
            : new Promise((r) => { child.once("exit", r); child.kill("SIGTERM"); })),
        });
      }
    });
  });
}

/** Chromium's flags for headless runs as root, with the fake microphone playing `micWav` when given. */
export function chromiumArgs(micWav) {
  const args = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
  ];
  if (micWav) {
    args.push("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${micWav}`);
  }
  return args;
}

/** Launches Debian's Chromium (`extraArgs`: more flags, e.g. for precise memory figures). */
export function launchChromium({ micWav, extraArgs = [] } = {}) {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...chromiumArgs(micWav), ...extraArgs] });
}

/** Collects console errors and page errors of `page`; returns the live array. */
export function watchErrors(page) {
  const errors = [];
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

/** Percentile (0-100) of numbers. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** The DTMF keys' words in the fake microphone's cycle. */
export const DIGIT_WORDS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "zero"];

/** The longest run of words in `text` that follows the DTMF cycle one, two, ... nine, zero, one, ... */
export function longestDigitRun(text) {
  const words = text.toLowerCase().replace(/[^a-z\s]/g, " ").split(/\s+/).filter(Boolean);
  let best = [];
  let run = [];
  for (const w of words) {
    const i = DIGIT_WORDS.indexOf(w);
    const prev = run.length ? DIGIT_WORDS.indexOf(run[run.length - 1]) : -1;
    if (i >= 0 && run.length && i === (prev + 1) % 10) run.push(w);
    else run = i >= 0 ? [w] : [];
    if (run.length > best.length) best = [...run];
  }
  return best;
}
