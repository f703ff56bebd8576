/* @ts-self-types="./index.d.ts" */
// The package's entry point: wasm-bindgen's glue (deepgram_live_wasm.js), re-exported, with `init()` and
// `initSync()` first checking that this engine runs the WebAssembly the module is built with. Without 128-bit
// SIMD (Safari before 16.4, Firefox before 89, Chrome before 91) or with WebAssembly turned off (iOS Lockdown
// Mode, some enterprise policies) they throw an Error whose `kind` is "unsupported" and whose message says what
// is missing, instead of a bare CompileError from deep inside the glue.
import glueInit, { initSync as glueInitSync } from "./deepgram_live_wasm.js";

export * from "./deepgram_live_wasm.js";

// The smallest module that uses a SIMD instruction: one function returning `v128.const 0`.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);
const SUPPORTED = "Chrome or Edge 91+, Firefox 89+, Safari 16.4+ (iOS 16.4+)";

function unsupported(what) {
  const e = new Error(`deepgram-live-wasm cannot run here: ${what}. Supported: ${SUPPORTED}.`);
  e.name = "DeepgramLiveError";
  e.kind = "unsupported";
  return e;
}

/** Throws the typed error when this engine cannot run the module; returns nothing otherwise. */
function requireEngine() {
  if (typeof WebAssembly !== "object" || typeof WebAssembly.validate !== "function") {
    throw unsupported("WebAssembly is not available in this browser (turned off, e.g. by iOS Lockdown Mode)");
  }
  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw unsupported("this browser's WebAssembly has no 128-bit SIMD, which the audio code is built with");
  }
}

/** Loads and instantiates the module (see index.d.ts), after checking the engine. */
export default async function init(input) {
  requireEngine();
  return arguments.length === 0 ? glueInit() : glueInit(input);
}

/** Instantiates the module synchronously (see index.d.ts), after checking the engine. */
export function initSync(module) {
  requireEngine();
  return glueInitSync(module);
}
