// Firefox ESR and WebKitGTK for the end-to-end tests and the browser benchmarks, driven over W3C WebDriver by
// their own drivers (geckodriver; WebKitWebDriver with MiniBrowser): Playwright's Firefox and WebKit are
// patched builds it downloads, and the Node WebDriver clients either ship a driver-manager binary or download
// drivers, so the few commands these tests need (new session, navigate, execute script, delete) are sent here
// with fetch. Chromium stays on playwright-core (tests/e2e/lib.mjs).
//
// The microphone is the PulseAudio WAV source of scripts/pulse-mic.sh (PULSE_SERVER in the environment) and
// WebKit's display the Xvfb of the calling script (DISPLAY): scripts/e2e.sh and scripts/bench.sh set both up.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import net from "node:net";

/** The engines this module drives. */
export const WEBDRIVER_ENGINES = ["firefox", "webkit"];

// The browser options the browser tests use too (the repository's webdriver.json): Firefox's prefs (the
// PulseAudio source as the microphone, no permission prompt, autoplay, nothing sent off the machine) and
// MiniBrowser's flags (automation, autoplay).
const WEBDRIVER_JSON = JSON.parse(readFileSync(new URL("../../webdriver.json", import.meta.url), "utf8"));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function command(base, method, path, body) {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const reply = await r.json().catch(() => ({}));
  if (!r.ok || reply.value?.error) {
    const v = reply.value || {};
    throw new Error(`WebDriver ${method} ${path}: ${v.error || r.status}: ${v.message || JSON.stringify(reply)}`);
  }
  return reply.value;
}

function driverFor(engine, port) {
  if (engine === "firefox") {
    return { bin: process.env.GECKODRIVER || "geckodriver", args: [`--port=${port}`, "--host=127.0.0.1"] };
  }
  if (engine === "webkit") {
    return { bin: process.env.WEBKIT_WEBDRIVER || "WebKitWebDriver", args: [`--port=${port}`] };
  }
  throw new Error(`unknown WebDriver engine "${engine}" (use ${WEBDRIVER_ENGINES.join(" or ")})`);
}

/** Debian's MiniBrowser: /usr/lib/<multiarch>/webkit2gtk-4.x/MiniBrowser. */
function miniBrowser() {
  for (const arch of readdirSync("/usr/lib")) {
    for (const api of ["webkit2gtk-4.1", "webkit2gtk-4.0"]) {
      const bin = `/usr/lib/${arch}/${api}/MiniBrowser`;
      if (existsSync(bin)) return bin;
    }
  }
  return undefined;
}

function capabilitiesFor(engine, { prefs = {} } = {}) {
  if (engine === "firefox") {
    const firefox = WEBDRIVER_JSON["moz:firefoxOptions"];
    return {
      browserName: "firefox",
      "moz:firefoxOptions": {
        ...firefox,
        binary: process.env.FIREFOX || "/usr/bin/firefox-esr",
        prefs: { ...firefox.prefs, ...prefs },
      },
    };
  }
  const options = WEBDRIVER_JSON["webkitgtk:browserOptions"];
  const binary = process.env.MINIBROWSER || (existsSync(options.binary) ? options.binary : miniBrowser());
  if (!binary || !existsSync(binary)) throw new Error("MiniBrowser not found: apt-get install webkit2gtk-driver");
  return { "webkitgtk:browserOptions": { ...options, binary } };
}

/**
 * Starts `engine`'s driver and a browser session. Resolves with
 * {engine, goto(url), evaluate(fn, ...args), close()}: `evaluate` runs `fn` in the page (its source text, called
 * with the JSON-serialisable args) and resolves with its (awaited) JSON result.
 * `prefs`: extra Firefox preferences (e.g. to turn WebAssembly off); `env`: extra environment for the driver and
 * the browser it starts (e.g. JavaScriptCore options for WebKit).
 */
export async function launchWebDriver(engine, { prefs, env } = {}) {
  const port = await freePort();
  const { bin, args } = driverFor(engine, port);
  const driver = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
  let stderr = "";
  driver.stderr.on("data", (d) => { stderr = (stderr + d).slice(-2000); });
  const exited = new Promise((resolve) => driver.once("exit", resolve));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (driver.exitCode !== null) throw new Error(`${bin} exited with ${driver.exitCode}: ${stderr}`);
    try {
      await command(base, "GET", "/status");
      break;
    } catch (e) {
      if (Date.now() > deadline) { driver.kill("SIGKILL"); throw new Error(`${bin} did not answer on ${base}: ${e.message}`); }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const stopDriver = async () => {
    if (driver.exitCode === null && driver.signalCode === null) {
      driver.kill("SIGTERM");
      const t = setTimeout(() => driver.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(t);
    }
  };
  let session;
  try {
    session = await command(base, "POST", "/session", {
      capabilities: { alwaysMatch: { ...capabilitiesFor(engine, { prefs }), timeouts: { script: 120_000, pageLoad: 60_000 } } },
    });
  } catch (e) {
    await stopDriver();
    throw e;
  }
  const path = `/session/${session.sessionId}`;
  return {
    engine,
    version: session.capabilities?.browserVersion,
    goto: (url) => command(base, "POST", `${path}/url`, { url }),
    evaluate: (fn, ...fnArgs) =>
      command(base, "POST", `${path}/execute/sync`, { script: `return (${fn})(...arguments);`, args: fnArgs }),
    close: async () => {
      await command(base, "DELETE", path).catch(() => {});
      await stopDriver();
    },
  };
}

/**
 * The script a test page loads first (as a same-origin file, allowed by `script-src 'self'`): it records
 * console errors, uncaught errors, unhandled rejections and CSP violations in `window.__pageErrors`, which
 * WebDriver cannot read from the browser's console.
 */
export const ERROR_RECORDER = `(() => {
  const errors = (window.__pageErrors = []);
  const text = (v) => (v instanceof Error ? \`\${v.name}: \${v.message}\` : typeof v === "string" ? v : JSON.stringify(v));
  const consoleError = console.error.bind(console);
  console.error = (...a) => { errors.push("console: " + a.map(text).join(" ")); consoleError(...a); };
  window.addEventListener("error", (e) => {
    errors.push(e.target && e.target !== window
      ? \`failed to load \${e.target.src || e.target.href || e.target.tagName}\`
      : \`pageerror: \${e.message} at \${e.filename}:\${e.lineno}\`);
  }, true);
  window.addEventListener("unhandledrejection", (e) => errors.push("unhandled rejection: " + text(e.reason)));
  document.addEventListener("securitypolicyviolation", (e) =>
    errors.push(\`securitypolicyviolation: \${e.effectiveDirective} blocked \${e.blockedURI || "(inline)"}\`));
})();
`;
