// End-to-end test of the npm package as a user gets it: `npm pack` the built pkg/, install the tarball into a
// fresh Vite app (tests/e2e/vite-app/), `vite build` it with the repo's Vite, serve dist/ under a strict
// Content-Security-Policy, and in each engine (Chromium through playwright-core; Firefox ESR and WebKitGTK over
// WebDriver, tests/e2e/webdriver.mjs) transcribe the microphone (DTMF digits) through the local server and play
// a spoken segment.
//
// Checks: the tarball ships the files and the hand-written types (and TypeScript resolves them through the
// package), the declarations cover every member wasm-bindgen exports, the build emits the worklets as files;
// then per engine: the page shows digit words, the Speaker's rendered output decodes back to the digits it
// spoke, no CSP violation or console error, the capture worklet came from a same-origin file URL (not
// blob:/data:), the .wasm was served as application/wasm, and no request left 127.0.0.1; and in WebKit without
// WebAssembly SIMD and Firefox without WebAssembly, init() rejects with the typed "unsupported" error.
//
// Builds nothing: expects pkg/ (or PKG_DIR) and the release server and dtmf-wav binaries (scripts/e2e.sh builds
// them). Prints one line per check; exit code 0 when all pass, 1 otherwise. On failure the temp dir is kept.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { ROOT, TARGET, fakeMicWav, launchChromium, startServer, watchErrors, longestDigitRun } from "./lib.mjs";
import { ERROR_RECORDER, launchWebDriver } from "./webdriver.mjs";

const PKG = path.resolve(ROOT, process.env.PKG_DIR || "pkg");
const APP = path.join(ROOT, "tests/e2e/vite-app");
const VITE = path.join(ROOT, "node_modules/.bin/vite");
const TSC = path.join(ROOT, "node_modules/.bin/tsc");
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' ws://127.0.0.1:*";
const MIME = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};
const TRANSCRIPT_TIMEOUT_MS = 25_000;
// E2E_ENGINES: the engines to run the app in (default all three; scripts/e2e.sh sets up Firefox's and WebKit's
// microphone and display).
const ENGINES = (process.env.E2E_ENGINES || "chrome firefox webkit").split(/\s+/).filter(Boolean);
const TOTAL_TIMEOUT_MS = 120_000 + 90_000 * ENGINES.length;

class CheckFailed extends Error {}
const fail = (message) => { throw new CheckFailed(message); };

let number = 0;
let failures = 0;

/** Runs one numbered check and prints its line. `stop`: a failure ends the run (later checks need this one). */
async function check(title, body, { stop = true } = {}) {
  number += 1;
  const t = Date.now();
  try {
    const detail = await body();
    console.log(`ok ${number} - ${title}${detail ? ` (${detail})` : ""} [${((Date.now() - t) / 1000).toFixed(1)} s]`);
  } catch (e) {
    failures += 1;
    console.log(`FAIL ${number} - ${title}: ${e instanceof CheckFailed ? e.message : e.stack || e}`);
    if (stop) throw new CheckFailed("stopped: later checks depend on this one");
  }
}

/** Runs a command, returning stdout; a failure carries the command's stderr tail. */
function run(cmd, args, cwd) {
  try {
    return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120_000 });
  } catch (e) {
    const out = `${e.stdout || ""}${e.stderr || ""}`.trim().split("\n").slice(-15).join("\n");
    fail(`expected \`${path.basename(cmd)} ${args.join(" ")}\` to succeed in ${cwd}, it exited with ${e.status}:\n${out}`);
  }
}


/** Exported classes → member names, and exported functions, of a declaration file (via the TypeScript API). */
function declaredApi(file) {
  const ts = createRequire(import.meta.url)(path.join(ROOT, "node_modules/typescript"));
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const classes = new Map();
  const functions = new Set();
  for (const node of src.statements) {
    const exported = node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    if (ts.isClassDeclaration(node) && node.name) {
      const members = new Set();
      for (const m of node.members) {
        if (ts.isConstructorDeclaration(m)) members.add("constructor");
        // `[Symbol.dispose]` needs the esnext.disposable lib in the user's project: deliberately not declared.
        else if (m.name && !ts.isComputedPropertyName(m.name)) members.add(m.name.getText(src));
      }
      classes.set(node.name.text, members);
    } else if (ts.isFunctionDeclaration(node)) {
      const isDefault = node.modifiers.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      functions.add(isDefault ? "default" : node.name.text);
    }
  }
  return { classes, functions };
}

/**
 * Serves `dir` on 127.0.0.1 with the CSP header and MIME types; records every request. The test's error
 * recorder (tests/e2e/webdriver.mjs) is served as /__page-errors.js and loaded first by index.html, a
 * same-origin file as the CSP allows: what WebDriver cannot read from the console, the page keeps itself.
 */
function serveDist(dir) {
  const requests = [];
  const server = createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url, "http://x").pathname);
    res.setHeader("Content-Security-Policy", CSP);
    res.setHeader("Cache-Control", "no-store");
    if (pathname === "/__page-errors.js") {
      res.writeHead(200, { "Content-Type": MIME[".js"] }).end(ERROR_RECORDER);
      return;
    }
    if (pathname === "/" || pathname === "/index.html") {
      const html = readFileSync(path.join(dir, "index.html"), "utf8")
        .replace("<head>", '<head>\n  <script src="/__page-errors.js"></script>');
      res.writeHead(200, { "Content-Type": MIME[".html"] }).end(html);
      requests.push({ path: pathname, status: 200, type: MIME[".html"] });
      return;
    }
    const file = path.join(dir, pathname);
    const inside = file.startsWith(dir + path.sep);
    const type = MIME[path.extname(file)] || "application/octet-stream";
    if (!inside || !existsSync(file)) {
      res.writeHead(404, { "Content-Type": "text/plain" }).end("not found");
      requests.push({ path: pathname, status: 404, type: "text/plain" });
      return;
    }
    res.writeHead(200, { "Content-Type": type }).end(readFileSync(file));
    requests.push({ path: pathname, status: 200, type });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({
      url: `http://127.0.0.1:${server.address().port}`,
      requests,
      close: () => new Promise((r) => server.close(r)),
    }));
  });
}

/** Opens the built app in one engine: Chromium through playwright-core, Firefox and WebKit over WebDriver. */
async function openPage(engine, micWav) {
  if (engine === "chrome") {
    const browser = await launchChromium({ micWav });
    const page = await browser.newPage();
    // Registered before any page script, so a violation while loading the app is seen too.
    await page.addInitScript(() => {
      window.__violations = [];
      document.addEventListener("securitypolicyviolation", (e) => {
        window.__violations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"} at ${e.sourceFile || "?"}:${e.lineNumber}`);
      });
    });
    const errors = watchErrors(page);
    const seen = [];
    page.on("request", (r) => seen.push({ url: r.url(), type: r.resourceType() }));
    page.on("websocket", (ws) => seen.push({ url: ws.url(), type: "websocket" }));
    return {
      goto: (url) => page.goto(url),
      evaluate: (fn, ...args) => page.evaluate(fn, ...args),
      // What the browser itself reports: console errors, page errors, CSP violations, every request it made.
      errors: async () => [...errors, ...(await page.evaluate(() => window.__violations)).map((v) => `securitypolicyviolation: ${v}`)],
      requests: async () => seen,
      close: () => browser.close(),
    };
  }
  const page = await launchWebDriver(engine);
  return {
    goto: page.goto,
    evaluate: page.evaluate,
    errors: async () => [],
    // Over WebDriver the page's own Resource Timing is what the browser fetched (WebSockets are not listed).
    requests: () => page.evaluate(() => performance.getEntriesByType("resource").map((r) => ({ url: r.name, type: r.initiatorType }))),
    close: page.close,
  };
}

/** The app in `engine`: the microphone's digits transcribed and a spoken segment played, under the CSP. */
async function inEngine(engine, site, server, tmp) {
  const from = site.requests.length;
  const page = await openPage(engine, fakeMicWav());
  try {
    const pageUrl = `${site.url}/?server=${encodeURIComponent(server.wsUrl)}`;
    await page.goto(pageUrl);
    let state = { text: "", status: "", played: "" };
    const end = Date.now() + TRANSCRIPT_TIMEOUT_MS;
    while (Date.now() < end) {
      state = await page.evaluate(() => ({
        text: document.getElementById("transcript").textContent,
        status: document.getElementById("status").textContent,
        played: document.getElementById("played").textContent,
        done: Boolean(window.playedAudio),
      }));
      if ((longestDigitRun(state.text).length >= 3 && state.done) || /^(failed|error)/.test(state.status)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const shown = (v) => (v.length > 300 ? `${v.slice(0, 300)}...` : v);

    await check(`${engine}: the page shows digit words from the microphone`, async () => {
      const digits = longestDigitRun(state.text);
      if (digits.length < 3) {
        const stats = await page.evaluate(() => (window.transcriber ? JSON.stringify(window.transcriber.stats()) : "none"));
        fail(`expected at least 3 consecutive DTMF digit words within ${TRANSCRIPT_TIMEOUT_MS / 1000} s, got "${state.text}" (page status: ${shown(state.status)}; Transcriber stats ${stats})`);
      }
      return `"${digits.join(" ")}"`;
    }, { stop: false });

    await check(`${engine}: the Speaker's rendered output decodes back to the digits it spoke`, async () => {
      const played = await page.evaluate(() => window.playedAudio || null);
      if (!played) fail(`expected the page to record the Speaker's output within ${TRANSCRIPT_TIMEOUT_MS / 1000} s, got "${shown(state.played)}"`);
      const samples = new Float32Array(new Uint8Array(Buffer.from(played.pcm, "base64")).buffer);
      const wav = path.join(tmp, `played-${engine}.wav`);
      writeFileSync(wav, pcm16Wav(samples, played.rate));
      const heard = run(path.join(TARGET, "release", "dtmf-detect"), [wav], tmp).trim();
      if (heard !== "123") fail(`expected the played output to decode to "123", got "${heard}" (${samples.length} samples at ${played.rate} Hz)`);
      return `"${heard}" from ${samples.length} samples at ${played.rate} Hz`;
    }, { stop: false });

    const requests = site.requests.slice(from);
    // Chromium reports neither a securitypolicyviolation event nor a console message when an AudioWorklet module
    // load is blocked (data:/blob: under script-src 'self'): the worklet checks below cover that case.
    await check(`${engine}: no CSP violation and no console error`, async () => {
      const missing = requests.filter((r) => r.status !== 200).map((r) => `HTTP ${r.status} for ${r.path}`);
      const recorded = await page.evaluate(() => window.__pageErrors || ["the error recorder did not run"]);
      const all = [...(await page.errors()), ...recorded, ...missing];
      if (all.length) fail(`expected none under "${CSP}", got:\n  ${all.join("\n  ")}`);
      return CSP;
    }, { stop: false });

    const seen = await page.requests();
    await check(`${engine}: the capture worklet was loaded from a same-origin file URL`, () => {
      const worklet = seen.filter((r) => r.url.includes("capture-processor"));
      const foreign = worklet.filter((r) => !r.url.startsWith(`${site.url}/`));
      const served = requests.filter((r) => r.path.includes("capture-processor") && r.status === 200);
      const inline = seen.filter((r) => /^(data|blob):/.test(r.url) && r.type !== "image");
      if (!served.length || foreign.length || inline.length) {
        fail(`expected ${site.url}/assets/capture-processor-*.js to be fetched (and no blob:/data: script); the browser requested ${worklet.map((r) => r.url).join(", ") || "no capture-processor URL"}, the server served ${served.map((r) => r.path).join(", ") || "none"}${inline.length ? `, inline URLs: ${inline.map((r) => r.url.slice(0, 40)).join(", ")}` : ""}`);
      }
      return served.map((r) => `${r.path} as ${r.type}`).join(", ");
    }, { stop: false });

    await check(`${engine}: the .wasm was served as application/wasm`, () => {
      const wasm = requests.filter((r) => r.path.endsWith(".wasm"));
      if (!wasm.length || wasm.some((r) => r.status !== 200 || r.type !== "application/wasm")) {
        fail(`expected one 200 application/wasm response for the .wasm, got ${JSON.stringify(wasm)}`);
      }
      return wasm.map((r) => r.path).join(", ");
    }, { stop: false });

    await check(`${engine}: no request left 127.0.0.1`, () => {
      const outside = seen.filter((r) => !/^(https?|wss?):\/\/127\.0\.0\.1:\d+\//.test(r.url) && !/^(data|blob):/.test(r.url));
      if (outside.length) fail(`expected only 127.0.0.1, got ${outside.map((r) => `${r.type} ${r.url}`).join(", ")}`);
      const ws = seen.filter((r) => r.type === "websocket").map((r) => new URL(r.url).pathname);
      return `${seen.length} requests${ws.length ? `, websocket ${ws.join(", ")}` : ""}`;
    }, { stop: false });
  } finally {
    await page.close();
  }
  if (engine !== "chrome") await unsupported(engine, site, server);
}

/**
 * The app where the module cannot run: WebKit's JavaScriptCore with WebAssembly SIMD turned off (Safari before
 * 16.4), and Firefox with WebAssembly turned off (as iOS Lockdown Mode does): init() rejects with the typed
 * "unsupported" error that says what is missing.
 */
async function unsupported(engine, site, server) {
  const [how, launch, missing] = engine === "webkit"
    ? ["without WebAssembly SIMD", { env: { JSC_useWasmSIMD: "0" } }, "SIMD"]
    : ["without WebAssembly", { prefs: { "javascript.options.wasm": false } }, "WebAssembly is not available"];
  const page = await launchWebDriver(engine, launch);
  try {
    await page.goto(`${site.url}/?server=${encodeURIComponent(server.wsUrl)}`);
    let status = "";
    const end = Date.now() + 15_000;
    while (Date.now() < end && !/^(failed|error|listening)/.test(status)) {
      status = await page.evaluate(() => document.getElementById("status").textContent);
      await new Promise((r) => setTimeout(r, 200));
    }
    await check(`${engine} ${how}: init() rejects with an "unsupported" error that says what is missing`, () => {
      if (!status.startsWith("failed: unsupported: ") || !status.includes(missing) || !status.includes("Safari 16.4")) {
        fail(`expected the page status "failed: unsupported: ... ${missing} ... Supported: ... Safari 16.4+ ...", got "${status}"`);
      }
      return status.replace(/^failed: /, "");
    }, { stop: false });
  } finally {
    await page.close();
  }
}

/** A mono PCM16 WAV file of `samples` (for dtmf-detect). */
function pcm16Wav(samples, rate) {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((s, i) => data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, s)) * 32767), i * 2));
  const h = Buffer.alloc(44);
  h.write("RIFF", 0); h.writeUInt32LE(36 + data.length, 4); h.write("WAVE", 8);
  h.write("fmt ", 12); h.writeUInt32LE(16, 16); h.writeUInt16LE(1, 20); h.writeUInt16LE(1, 22);
  h.writeUInt32LE(rate, 24); h.writeUInt32LE(rate * 2, 28); h.writeUInt16LE(2, 32); h.writeUInt16LE(16, 34);
  h.write("data", 36); h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "deepgram-live-vite-csp-"));
  const app = path.join(tmp, "app");
  const cleanup = [];
  let tarball;
  try {
    await check("pkg/ is built", () => {
      const needed = ["package.json", "deepgram_live_wasm.js", "deepgram_live_wasm_bg.wasm", "index.d.ts", "README.md"];
      const missing = needed.filter((f) => !existsSync(path.join(PKG, f)));
      if (missing.length) fail(`expected a built package in ${PKG}, missing ${missing.join(", ")}: run scripts/build-pkg.sh`);
      return PKG;
    });

    await check("npm pack ships the code, the worklets, the types and the README", () => {
      const [info] = JSON.parse(run("npm", ["pack", PKG, "--pack-destination", tmp, "--json"], tmp));
      tarball = path.join(tmp, info.filename);
      const files = info.files.map((f) => f.path);
      const want = [/^index\.js$/, /^deepgram_live_wasm\.js$/, /^deepgram_live_wasm_bg\.wasm$/, /^index\.d\.ts$/, /^README\.md$/,
        /^package\.json$/, /^snippets\/.*\/capture-processor\.js$/, /^snippets\/.*\/playback-processor\.js$/,
        /^snippets\/.*\/main-thread\.js$/];
      const missing = want.filter((re) => !files.some((f) => re.test(f)));
      if (missing.length) fail(`expected the tarball to contain ${missing.join(", ")}; it has ${files.join(", ")}`);
      // The generated declarations type everything as `any`: shipping them beside index.d.ts would invite
      // tools to pick the wrong ones.
      if (files.includes("deepgram_live_wasm.d.ts")) fail("expected wasm-bindgen's any-typed deepgram_live_wasm.d.ts not to be packed");
      return `${info.filename}, ${files.length} files, ${(info.size / 1024).toFixed(1)} KB`;
    });

    await check("npm install of the tarball into a fresh Vite app", () => {
      cpSync(APP, app, { recursive: true });
      const pj = JSON.parse(readFileSync(path.join(app, "package.json"), "utf8"));
      pj.dependencies = { "deepgram-live-wasm": `file:${tarball}` };
      writeFileSync(path.join(app, "package.json"), JSON.stringify(pj, null, 2));
      run("npm", ["install", "--no-audit", "--no-fund", "--offline"], app);
      const installed = JSON.parse(readFileSync(path.join(app, "node_modules/deepgram-live-wasm/package.json"), "utf8"));
      if (installed.types !== "./index.d.ts" || installed.exports?.["."]?.types !== "./index.d.ts") {
        fail(`expected package.json types and exports["."].types to be ./index.d.ts, got ${installed.types} and ${installed.exports?.["."]?.types}`);
      }
      return `deepgram-live-wasm ${installed.version}`;
    });

    await check("TypeScript resolves the package's own declarations (not wasm-bindgen's any types)", () => {
      // A @ts-expect-error that only the precise declarations satisfy: with the generated ones,
      // on("nope", ...) is fine and tsc reports the directive as unused.
      writeFileSync(path.join(app, "typed.ts"), [
        'import init, { Transcriber, type Results } from "deepgram-live-wasm";',
        "await init();",
        'const stt = new Transcriber({ options: { model: "nova-3", interim_results: true } });',
        'stt.on("transcript", (r: Results) => r.channel.alternatives[0].transcript.trim());',
        "// @ts-expect-error unknown event name",
        'stt.on("nope", () => {});',
        "",
      ].join("\n"));
      run(TSC, ["--noEmit", "--strict", "--target", "es2022", "--module", "esnext", "--moduleResolution", "bundler",
        "--lib", "es2022,dom", "typed.ts"], app);
      return "typed.ts compiles with strict, the unknown event is rejected";
    }, { stop: false });

    await check("the declarations cover every class member wasm-bindgen exports, and nothing more", () => {
      const generated = declaredApi(path.join(PKG, "deepgram_live_wasm.d.ts"));
      const ours = declaredApi(path.join(app, "node_modules/deepgram-live-wasm/index.d.ts"));
      const problems = [];
      for (const [cls, members] of generated.classes) {
        const mine = ours.classes.get(cls);
        if (!mine) { problems.push(`class ${cls} is not declared`); continue; }
        for (const m of members) if (!mine.has(m)) problems.push(`${cls}.${m} is not declared`);
        for (const m of mine) if (!members.has(m)) problems.push(`${cls}.${m} is declared but not exported by the build`);
      }
      for (const cls of ours.classes.keys()) if (!generated.classes.has(cls)) problems.push(`class ${cls} is declared but not built`);
      for (const f of generated.functions) if (!ours.functions.has(f)) problems.push(`function ${f} is not declared`);
      if (problems.length) fail(`expected index.d.ts to match the build's exports: ${problems.join("; ")}`);
      return [...generated.classes.keys()].map((c) => `${c} ${generated.classes.get(c).size}`).join(", ");
    }, { stop: false });

    let dist;
    await check("vite build", () => {
      run(VITE, ["build", "--logLevel", "warn"], app);
      dist = path.join(app, "dist");
      const assets = readdirSync(path.join(dist, "assets"));
      return assets.join(", ");
    });

    await check("the build emits both worklets as files, not data: or blob: URLs", () => {
      const assets = readdirSync(path.join(dist, "assets"));
      const js = assets.filter((f) => f.endsWith(".js")).map((f) => readFileSync(path.join(dist, "assets", f), "utf8")).join("\n");
      const problems = [];
      for (const name of ["capture-processor", "playback-processor"]) {
        if (!assets.some((f) => f.startsWith(`${name}-`) && f.endsWith(".js"))) problems.push(`no ${name}-*.js in dist/assets`);
      }
      const inlined = js.match(/data:text\/javascript;base64,[A-Za-z0-9+/]{0,24}/g) || [];
      if (inlined.length) {
        problems.push(`${inlined.length} script(s) inlined as data: URLs (${inlined.map((s) => Buffer.from(s.split(",")[1], "base64").toString().slice(0, 18)).join(" | ")}...): Vite inlines assets under build.assetsInlineLimit (4 KB) unless the URL says ?no-inline`);
      }
      if (problems.length) fail(`expected dist/assets to hold capture-processor-*.js and playback-processor-*.js: ${problems.join("; ")}`);
      return assets.filter((f) => f.includes("processor")).join(", ");
    }, { stop: false });

    const site = await serveDist(dist);
    cleanup.push(site.close);
    const server = await startServer(["--open"]);
    cleanup.push(server.stop);
    for (const engine of ENGINES) await inEngine(engine, site, server, tmp);
  } catch (e) {
    if (!(e instanceof CheckFailed)) {
      failures += 1;
      console.log(`FAIL ${number + 1} - unexpected error: ${e.stack || e}`);
    }
  } finally {
    for (const f of cleanup.reverse()) await f().catch(() => {});
    if (failures === 0) rmSync(tmp, { recursive: true, force: true });
    else console.log(`# kept ${tmp} for inspection`);
  }
  console.log(failures === 0 ? `# vite-csp: all ${number} checks passed` : `# vite-csp: ${failures} of ${number} checks failed`);
  return failures === 0 ? 0 : 1;
}

const timer = setTimeout(() => {
  console.log(`FAIL - the test did not finish within ${TOTAL_TIMEOUT_MS / 1000} s`);
  process.exit(1);
}, TOTAL_TIMEOUT_MS);
const code = await main();
clearTimeout(timer);
process.exit(code);
