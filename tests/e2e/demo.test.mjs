// End-to-end test of the demo page (www/): the local server (DTMF voice) serves the demo and the package,
// Chromium's fake microphone plays DTMF digits, and the test drives the page as a user would: start the
// microphone and read the captions, speak and flush, speak and clear, and take screenshots. Then in Firefox and
// WebKit over WebDriver (tests/e2e/webdriver.mjs; the microphone is scripts/pulse-mic.sh's PulseAudio source):
// the demo loads without console or page errors and captions the microphone.
//
// Builds nothing: expects pkg/ and the release server and dtmf-wav binaries (scripts/e2e.sh builds them).
// Prints one line per check; exit code 0 when all pass, 1 otherwise.
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { TARGET, fakeMicWav, launchChromium, startServer, watchErrors, longestDigitRun } from "./lib.mjs";
import { ERROR_RECORDER, WEBDRIVER_ENGINES, launchWebDriver } from "./webdriver.mjs";

// E2E_ENGINES: besides Chromium (every check below), the demo loads and captions in Firefox and WebKit.
const ENGINES = (process.env.E2E_ENGINES || "chrome firefox webkit").split(/\s+/).filter(Boolean);

const OUT = path.join(TARGET, "e2e");
// "1 2 3 4 5 6 7 8 9 0" six times: about 12 s of tones from the DTMF voice, far longer than the test waits.
const LONG_TEXT = Array.from({ length: 6 }, () => "1 2 3 4 5 6 7 8 9 0").join(" ");
const TOTAL_TIMEOUT_MS = 240_000;

class CheckFailed extends Error {}

const started = Date.now();
let number = 0;
let failures = 0;

/** Runs one numbered check; a failure prints what was expected and what happened, and stops the run. */
async function check(title, body) {
  number += 1;
  const t = Date.now();
  try {
    const detail = await body();
    console.log(`ok ${number} - ${title}${detail ? ` (${detail})` : ""} [${((Date.now() - t) / 1000).toFixed(1)} s]`);
  } catch (e) {
    failures += 1;
    console.log(`FAIL ${number} - ${title}: ${e instanceof CheckFailed ? e.message : e.stack || e}`);
    throw new CheckFailed("stopped at the first failure");
  }
}

function fail(message) {
  throw new CheckFailed(message);
}

/** Polls `probe` (async, returns a value or a falsy one) until truthy; returns it, or `undefined` on timeout. */
async function waitFor(probe, timeoutMs, everyMs = 100) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}


/** Log entries of the page (oldest first) named `name`, with `from` the index to start at. */
const entries = (page, name, from = 0) =>
  page.evaluate(([n, f]) => window.demo.log.slice(f).filter((e) => e.name === n), [name, from]);
const logLength = (page) => page.evaluate(() => window.demo.log.length);
/** Whether the visible log (the DOM) shows an entry `name` whose text contains `text`. */
const logShows = (page, name, text) =>
  page.evaluate(([n, t]) => [...document.querySelectorAll(`#log li[data-event="${n}"]`)]
    .some((li) => li.textContent.includes(t)), [name, text]);

/** Sequence id of the latest `flush()` the page logged after index `from` (waits up to 5 s). */
async function flushSequence(page, from) {
  const flush = await waitFor(async () => (await entries(page, "flush()", from)).pop(), 5_000);
  return flush?.payload.sequence;
}

async function run() {
  mkdirSync(OUT, { recursive: true });
  const micWav = fakeMicWav({ rate: 48000 });
  // `--open` accepts connections without credentials, as `make demo` runs it: the page sends no key.
  const server = await startServer(["--www", "www", "--pkg", "pkg", "--tts", "dtmf", "--open"]);
  const browser = await launchChromium({ micWav });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const failedRequests = [];
    page.on("response", (r) => { if (r.status() >= 400) failedRequests.push(`${r.status()} ${r.url()}`); });

    await check("the demo loads without console errors or page errors", async () => {
      await page.goto(`${server.url}/`);
      const ready = await waitFor(() => page.evaluate(() => document.body.dataset.ready === "true"), 15_000);
      // Late errors (a failed module, a 404) arrive just after load: give them a moment.
      await page.waitForTimeout(500);
      if (!ready) {
        fail(`expected the page to load the package (body[data-ready=true]) within 15 s; status says ` +
          `"${await page.textContent("#status")}", errors: ${JSON.stringify(errors)}`);
      }
      if (errors.length || failedRequests.length) {
        fail(`expected no console errors, page errors or failed requests on load, got ${JSON.stringify([...errors, ...failedRequests])}`);
      }
      const unlabelled = await page.evaluate(() => [...document.querySelectorAll("input, select, textarea, button, meter")]
        .filter((el) => !(el.labels?.length || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") ||
          (el.tagName === "BUTTON" && el.textContent.trim())))
        .map((el) => el.id || el.outerHTML.slice(0, 60)));
      if (unlabelled.length) fail(`expected every control to have a label, these have none: ${unlabelled.join(", ")}`);
      const url = await page.inputValue("#baseUrl");
      if (url !== server.wsUrl) fail(`expected the server URL field to default to ${server.wsUrl}, got "${url}"`);
      return `server URL defaults to ${url}`;
    });

    await check("starting the microphone shows the fake mic's digits as words, in order", async () => {
      await page.click("#start-mic");
      let level = 0;
      let statusError = "";
      const runOf = await waitFor(async () => {
        // A refused connection will not heal: stop waiting at once and say why.
        statusError = await page.evaluate(() => {
          const s = document.getElementById("status");
          return s.dataset.kind === "error" ? s.textContent : "";
        });
        if (statusError) return "error";
        level = Math.max(level, await page.evaluate(() => document.getElementById("level").value));
        const words = longestDigitRun(await page.evaluate(() => window.demo.captions()));
        return words.length >= 7 ? words : null;
      }, 25_000, 200);
      const captions = await page.evaluate(() => window.demo.captions());
      if (statusError) fail(`expected the microphone to start, the status area shows an error: "${statusError}"`);
      if (!runOf) {
        fail(`expected the captions to contain a run of at least 7 digit words in DTMF order (one two three ...) ` +
          `within 25 s, got "${captions.slice(-300)}"; status "${await page.textContent("#status")}"`);
      }
      if (!(level > 0)) fail(`expected the level meter to move while the microphone plays tones, it stayed at ${level}`);
      return `"${runOf.join(" ")}", meter peaked at ${level.toFixed(2)}`;
    });

    await check('speaking "1 2 3" and flushing makes flushed and playbackEnd appear in the event log', async () => {
      // The fake microphone never stops talking, so barge-in (correctly) clears every playback: switch it off
      // the way a user would before speaking.
      await page.click("#bargeIn");
      const bargeIn = await page.evaluate(() => window.demo.voice.bargeIn);
      if (bargeIn !== false) fail(`expected the barge-in switch to set VoiceSession.bargeIn to false, got ${bargeIn}`);
      const from = await logLength(page);
      await page.fill("#text", "1 2 3");
      await page.click("#speak");
      await page.click("#flush");
      const seq = await flushSequence(page, from);
      if (seq === undefined) fail(`expected a "flush()" entry with its sequence id in the log, got none; status "${await page.textContent("#status")}"`);
      const seen = await waitFor(async () => (await logShows(page, "flushed", `sequence ${seq}`)) &&
        (await logShows(page, "playbackEnd", `sequence ${seq}`)), 15_000);
      if (!seen) {
        const names = (await page.evaluate((f) => window.demo.log.slice(f), from)).map((e) => `${e.name} ${e.summary}`);
        fail(`expected "flushed" and "playbackEnd" for sequence ${seq} in the event log within 15 s, got: ${JSON.stringify(names)}`);
      }
      const end = (await entries(page, "playbackEnd", from)).find((e) => e.payload.sequenceId === seq);
      // "1 2 3" is three 100 ms tones with their gaps: about 0.5 s of audio.
      if (!(end.payload.durationMs > 300)) fail(`expected about 500 ms of audio played for "1 2 3", playbackEnd says ${end.payload.durationMs} ms`);
      return `sequence ${seq}, ${Math.round(end.payload.durationMs)} ms played`;
    });

    await check("speaking a long text and pressing clear makes cleared appear and playback stop", async () => {
      const from = await logLength(page);
      await page.fill("#text", LONG_TEXT);
      await page.click("#speak");
      await page.click("#flush");
      const seq = await flushSequence(page, from);
      if (seq === undefined) fail("expected a \"flush()\" entry with its sequence id in the log, got none");
      const startedPlaying = await waitFor(async () => (await entries(page, "playbackStart", from))
        .find((e) => e.payload.sequenceId === seq), 10_000);
      if (!startedPlaying) fail(`expected playbackStart for sequence ${seq} within 10 s, got none`);
      await page.waitForTimeout(400);
      if (!(await page.evaluate(() => window.demo.speaker.playing))) {
        fail("expected the Speaker to be playing 0.4 s into a 12 s text, it is not");
      }
      const beforeClear = await logLength(page);
      await page.click("#clear");
      const cleared = await waitFor(async () => (await entries(page, "cleared", beforeClear))[0], 5_000);
      if (!cleared) fail("expected a \"cleared\" event in the log within 5 s of pressing Clear, got none");
      if (!(await logShows(page, "cleared", "heard"))) fail("expected the visible log to show the cleared entry");
      const playing = await page.evaluate(() => window.demo.speaker.playing);
      if (playing !== false) fail(`expected Speaker.playing to be false after cleared, got ${playing}`);
      if (cleared.payload.interruptedSequenceId !== seq) {
        fail(`expected cleared to report it interrupted segment ${seq}, got ${cleared.payload.interruptedSequenceId}`);
      }
      // Had playback gone on, the 12 s segment would end with its playbackEnd: there must be none.
      await page.waitForTimeout(2_000);
      const ended = (await entries(page, "playbackEnd", from)).filter((e) => e.payload.sequenceId === seq);
      if (ended.length) fail(`expected no playbackEnd for the cleared segment ${seq}, got ${JSON.stringify(ended[0].payload)}`);
      const clearMs = await page.evaluate(() => window.demo.speaker.stats().lastClearMs);
      return `segment ${seq} cut after ${Math.round(cleared.payload.playedMs)} ms, clear latency ${clearMs?.toFixed(1)} ms`;
    });

    await check("screenshots of the demo in use (desktop, and a 390x844 phone running the test signal)", async () => {
      const desktop = path.join(OUT, "demo.png");
      await page.screenshot({ path: desktop, fullPage: true });
      const mobileContext = await browser.newContext({
        viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
      });
      const mobile = await mobileContext.newPage();
      const mobileErrors = watchErrors(mobile);
      await mobile.goto(`${server.url}/`);
      await waitFor(() => mobile.evaluate(() => document.body.dataset.ready === "true"), 15_000);
      // The phone run uses the page's own test signal (OscillatorNodes), not the fake microphone, with diarize on.
      await mobile.check("#diarize");
      await mobile.click("#start-signal");
      const finals = () => mobile.evaluate(() => [...document.querySelectorAll("#captions .caption-line")].map((p) => p.textContent).join(" "));
      const shown = await waitFor(async () => longestDigitRun(await finals()).length >= 5, 20_000, 200);
      if (!shown) {
        fail(`expected the test signal's digits (a run of 5 digit words) in the mobile page's final captions within 20 s, ` +
          `got "${(await mobile.evaluate(() => window.demo.captions())).slice(-200)}"; status "${await mobile.textContent("#status")}"`);
      }
      if (!(await finals()).startsWith("Speaker 0: ")) {
        fail(`expected diarized captions to start with the label "Speaker 0: ", got "${(await finals()).slice(0, 80)}"`);
      }
      await mobile.click("#bargeIn");
      await mobile.fill("#text", "1 2 3");
      await mobile.click("#speak");
      await mobile.click("#flush");
      const ended = await waitFor(() => mobile.evaluate(() => window.demo.log.some((e) => e.name === "playbackEnd")), 10_000);
      if (!ended) fail("expected playbackEnd on the mobile page within 10 s of speak and flush, got none");
      const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      if (overflow > 0) fail(`expected no horizontal scrolling at 390 px, the page is ${overflow} px too wide`);
      const mobilePath = path.join(OUT, "demo-mobile.png");
      await mobile.screenshot({ path: mobilePath, fullPage: true });
      await mobile.evaluate(() => document.getElementById("stop").click());
      await mobileContext.close();
      if (mobileErrors.length) fail(`expected no console errors on the mobile page, got ${JSON.stringify(mobileErrors)}`);
      return `${path.relative(process.cwd(), desktop)}, ${path.relative(process.cwd(), mobilePath)}`;
    });

    await check("text contrast meets WCAG AA on the page in use, and Tab reaches every enabled control", async () => {
      const contrast = await page.evaluate(() => {
        const parse = (c) => {
          const m = /rgba?\(([^)]+)\)/.exec(c);
          if (!m) return null;
          const [r, g, b, a = 1] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
          return { r, g, b, a };
        };
        const over = (fg, bg) => ({
          r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a), b: fg.b * fg.a + bg.b * (1 - fg.a), a: 1,
        });
        const luminance = ({ r, g, b }) => {
          const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
          return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
        };
        // The background an element's text sits on: every ancestor's background composited from the root down.
        const backdrop = (el) => {
          const chain = [];
          for (let e = el; e; e = e.parentElement) chain.unshift(e);
          let bg = { r: 255, g: 255, b: 255, a: 1 };
          for (const e of chain) {
            const c = parse(getComputedStyle(e).backgroundColor);
            if (c && c.a > 0) bg = over(c, bg);
          }
          return bg;
        };
        const failures = [];
        let min = 21;
        let checked = 0;
        for (const el of document.querySelectorAll("body *")) {
          if (![...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())) continue;
          const st = getComputedStyle(el);
          if (st.visibility === "hidden" || el.getClientRects().length === 0) continue;
          // WCAG 1.4.3 exempts inactive controls.
          if (el.closest(":disabled")) continue;
          const bg = backdrop(el);
          const fg = over(parse(st.color), bg);
          const [hi, lo] = [luminance(fg), luminance(bg)].sort((x, y) => y - x);
          const ratio = (hi + 0.05) / (lo + 0.05);
          const px = parseFloat(st.fontSize);
          const large = px >= 24 || (Number(st.fontWeight) >= 700 && px >= 18.66);
          const need = large ? 3 : 4.5;
          checked += 1;
          min = Math.min(min, ratio);
          if (ratio < need) {
            failures.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""} "${el.textContent.trim().slice(0, 30)}" ` +
              `${ratio.toFixed(2)}:1 (needs ${need}:1)`);
          }
        }
        return { failures, min, checked };
      });
      if (contrast.checked < 20) fail(`expected to check the contrast of many text elements, checked only ${contrast.checked}`);
      if (contrast.failures.length) fail(`expected every text to meet WCAG AA contrast, these do not: ${contrast.failures.join("; ")}`);

      // Keyboard: Tab from the top must reach every enabled, visible control.
      // A control that turns disabled during the walk (Clear, once the speech has played out) is not expected.
      const enabledControls = () => page.evaluate(() => [...document.querySelectorAll("input, select, textarea, button, a[href]")]
        .filter((el) => !el.disabled && el.getClientRects().length && getComputedStyle(el).visibility !== "hidden")
        .map((el) => el.id || el.name || el.textContent.trim()));
      const controls = await enabledControls();
      await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0); });
      const reached = new Set();
      for (let i = 0; i < controls.length + 20; i++) {
        await page.keyboard.press("Tab");
        const id = await page.evaluate(() => {
          const el = document.activeElement;
          return el && el !== document.body ? el.id || el.name || el.textContent.trim() : null;
        });
        if (id) reached.add(id);
      }
      const stillEnabled = new Set(await enabledControls());
      const missed = controls.filter((c) => stillEnabled.has(c) && !reached.has(c));
      if (missed.length) fail(`expected Tab to reach every enabled control, it never reached: ${missed.join(", ")}`);
      return `${contrast.checked} text elements, lowest contrast ${contrast.min.toFixed(2)}:1; Tab reached all ${controls.length} controls`;
    });

    await check("Finalize, KeepAlive and Close stream reach the server, and the stream closes with its metadata", async () => {
      const from = await logLength(page);
      await page.click("#finalize");
      // Deepgram answers a Finalize with a from_finalize result when it has audio buffered, and with nothing when
      // the last word was already final (the fake microphone loops tones and gaps, so either can happen): the
      // client then says so with a finalize_timeout warning. One of the two must show, and the server must have
      // received the Finalize.
      const outcome = await waitFor(async () => {
        if ((await entries(page, "transcript", from)).some((e) => e.payload.from_finalize)) return "a from_finalize transcript";
        const timedOut = (await entries(page, "warning", from)).some((e) => e.payload.code === "finalize_timeout");
        return timedOut ? "a finalize_timeout warning (nothing was buffered)" : null;
      }, 10_000);
      if (!outcome) fail("expected a from_finalize transcript or a finalize_timeout warning in the log within 10 s of pressing Finalize, got neither");
      const connections = (await (await fetch(`${server.url}/_control/connections`)).json()).connections;
      const listen = connections.filter((c) => c.path === "/v1/listen" && c.open).pop();
      if (!listen?.text_frames?.includes('{"type":"Finalize"}')) {
        fail(`expected the server to have received {"type":"Finalize"}, it received ${JSON.stringify(listen?.text_frames)}`);
      }
      await page.click("#keepalive");
      const keptAlive = await page.evaluate(() => window.demo.voice.stats().listen.keepAlives);
      if (!(keptAlive >= 1)) fail(`expected the Transcriber to count the KeepAlive sent, stats().listen.keepAlives is ${keptAlive}`);
      await page.click("#close-stream");
      const done = await waitFor(async () => (await entries(page, "closeStream()", from)).find((e) => e.summary.startsWith("done")), 5_000);
      if (!done) fail("expected closeStream() to resolve with the final metadata (a \"closeStream() done\" log entry) within 5 s, got none");
      const closed = (await entries(page, "close", from)).find((e) => e.half === "listen");
      if (!closed || closed.payload.code !== 1000) fail(`expected the listen half to close with 1000, got ${JSON.stringify(closed?.payload)}`);
      const startEnabled = await page.isEnabled("#start-mic");
      if (!startEnabled) fail("expected Start microphone to be enabled again once the listen stream closed");
      return `${outcome}; ${done.summary}`;
    });

    await check("the packaged (minified) JS keeps its class names, and its worklets also load as Blob modules", async () => {
      const names = await page.evaluate(async (url) => {
        const m = await import(url);
        return [m.Transcriber.name, m.Speaker.name, m.VoiceSession.name];
      }, `${server.url}/pkg/deepgram_live_wasm.js`);
      if (names.join() !== "Transcriber,Speaker,VoiceSession") {
        fail(`expected the exported classes to keep their names (console.log shows them), got ${names.join(", ")}`);
      }
      // The Blob fallback rebuilds each worklet module from its register function's own source text, so that
      // function must not reference anything outside itself, minified or not.
      const snippets = readdirSync(path.join("pkg", "snippets"));
      if (snippets.length !== 1) fail(`expected one snippets directory in pkg/snippets, found ${JSON.stringify(snippets)}`);
      const base = `${server.url}/pkg/snippets/${snippets[0]}/js`;
      const result = await page.evaluate(async (base) => {
        const ctx = new AudioContext();
        const loaded = [];
        try {
          for (const kind of ["capture", "playback"]) {
            const m = await import(`${base}/${kind}-processor.js`);
            const source = m[`${kind}ProcessorSource`]();
            const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
            try {
              await ctx.audioWorklet.addModule(url);
              // Throws unless the module registered the processor under this name.
              new AudioWorkletNode(ctx, m[`${kind}ProcessorName`]()).disconnect();
              loaded.push(`${kind} (${source.length} bytes)`);
            } catch (e) {
              return { error: `${kind}: ${e && e.name}: ${e && e.message}` };
            } finally {
              URL.revokeObjectURL(url);
            }
          }
        } finally {
          await ctx.close();
        }
        return { loaded };
      }, base);
      if (result.error) fail(`expected both packaged worklets to register from a Blob module, ${result.error}`);
      return `${names.join(", ")}; Blob modules: ${result.loaded.join(", ")}`;
    });

    await check("Stop all releases everything, and no console errors happened during the run", async () => {
      await page.click("#stop");
      const released = await waitFor(() => page.evaluate(() =>
        window.demo.voice === null && window.demo.speaker === null && window.demo.audioContext === null), 5_000);
      if (!released) fail("expected Stop all to drop the session, the speaker and the AudioContext within 5 s");
      if (errors.length) fail(`expected no console errors or page errors, got ${JSON.stringify(errors)}`);
      return "session, speaker and AudioContext released";
    });
  } finally {
    await browser.close();
    await server.stop();
  }
}

/**
 * The demo in a WebDriver engine, from a copy of www/ whose index.html loads the test's error recorder first
 * (WebDriver cannot read the console): it loads without errors, and Start microphone shows the digits.
 */
async function inEngine(engine) {
  const www = path.join(OUT, `www-${engine}`);
  rmSync(www, { recursive: true, force: true });
  cpSync("www", www, { recursive: true });
  writeFileSync(path.join(www, "__page-errors.js"), ERROR_RECORDER);
  const html = readFileSync(path.join(www, "index.html"), "utf8");
  writeFileSync(path.join(www, "index.html"), html.replace("<head>", '<head>\n  <script src="/__page-errors.js"></script>'));
  const server = await startServer(["--www", www, "--pkg", "pkg", "--tts", "dtmf", "--open"]);
  const page = await launchWebDriver(engine);
  try {
    await check(`${engine} ${page.version}: the demo loads without console errors or page errors`, async () => {
      await page.goto(`${server.url}/`);
      const ready = await waitFor(() => page.evaluate(() => document.body.dataset.ready === "true"), 15_000);
      await new Promise((r) => setTimeout(r, 500));
      const errors = await page.evaluate(() => window.__pageErrors || ["the error recorder did not run"]);
      if (!ready) {
        fail(`expected the page to load the package (body[data-ready=true]) within 15 s; status says ` +
          `"${await page.evaluate(() => document.getElementById("status").textContent)}", errors: ${JSON.stringify(errors)}`);
      }
      if (errors.length) fail(`expected no console errors or page errors on load, got ${JSON.stringify(errors)}`);
      return `server URL ${await page.evaluate(() => document.getElementById("baseUrl").value)}`;
    });
    await check(`${engine}: starting the microphone shows its digits as words, in order`, async () => {
      await page.evaluate(() => document.getElementById("start-mic").click());
      const words = await waitFor(async () => {
        const run = longestDigitRun(await page.evaluate(() => window.demo.captions()));
        return run.length >= 5 ? run : null;
      }, 25_000, 250);
      const errors = await page.evaluate(() => window.__pageErrors);
      if (!words) {
        fail(`expected a run of at least 5 digit words in the captions within 25 s, got ` +
          `"${await page.evaluate(() => window.demo.captions())}" (status "${await page.evaluate(() => document.getElementById("status").textContent)}")`);
      }
      if (errors.length) fail(`expected no console errors or page errors, got ${JSON.stringify(errors)}`);
      await page.evaluate(() => document.getElementById("stop").click());
      return `"${words.join(" ")}"`;
    });
  } finally {
    await page.close();
    await server.stop();
    rmSync(www, { recursive: true, force: true });
  }
}

const timer = setTimeout(() => {
  console.log(`FAIL - the demo test did not finish within ${TOTAL_TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, TOTAL_TIMEOUT_MS);

try {
  if (ENGINES.includes("chrome")) await run();
  for (const engine of ENGINES.filter((e) => WEBDRIVER_ENGINES.includes(e))) await inEngine(engine);
} catch (e) {
  if (!(e instanceof CheckFailed)) {
    failures += 1;
    console.log(`FAIL - ${e.stack || e}`);
  }
}
clearTimeout(timer);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(failures ? `demo: FAILED (${number} checks run, ${seconds} s)` : `demo: all ${number} checks passed in ${seconds} s`);
process.exit(failures ? 1 : 0);
