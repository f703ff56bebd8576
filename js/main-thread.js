// The library's main-thread JS, one module (the two worklet files run on the audio thread): where the worklet
// files are, plain copies of the option bags apps pass, and the bytes of the audio buffers they send. One module
// rather than three: each import of the glue is a request a page without a bundler makes before init().

// ---- Where the AudioWorklet modules live ----
// Beside this file. The literal `new URL('./x.js', import.meta.url)` form is
// what bundlers (Vite, webpack 5, esbuild, Parcel) recognise and rewrite, so the worklets ship as real files and
// load under a `script-src 'self'` Content-Security-Policy (no blob:, no data:). `?no-inline` stops Vite from
// inlining these small files as data: URLs (its 4 KB asset limit), which such a policy would block; servers and
// other bundlers ignore the query.
export function captureProcessorUrl() {
  return new URL("./capture-processor.js?no-inline", import.meta.url).href;
}
export function playbackProcessorUrl() {
  return new URL("./playback-processor.js?no-inline", import.meta.url).href;
}

// ---- Option bags, copied ----
// Copies an option bag into plain data before Rust reads it, so that nothing the app passes can run its own code
// (or throw) in the middle of a read: getters are called here, once; a Proxy's traps run here; a throw, a cycle,
// a function or absurd nesting becomes an error naming where it is. Objects of the browser's audio classes and
// binary data are kept as they are, recognised by the browser's own brand checks (a built-in getter called on
// the value), so a Proxy or an object dressed up as one is not taken for one; every other object is copied as its
// own enumerable properties, and arrays item by item.

const MAX_DEPTH = 32;
const MAX_ITEMS = 100000;

class CopyError extends Error {}

function problem(e) {
  try {
    return e instanceof Error ? `${e.name}: ${e.message}` : `a thrown ${typeof e}`;
  } catch {
    return "an exception";
  }
}

function fail(path, what, e) {
  if (e instanceof CopyError) throw e;
  throw new CopyError(`${path}\u0000${what} threw ${problem(e)}`);
}

function brand(cls, getter) {
  const d = cls && Object.getOwnPropertyDescriptor(cls.prototype, getter);
  return d && d.get;
}
const brands = [
  brand(ArrayBuffer, "byteLength"),
  brand(globalThis.BaseAudioContext ?? globalThis.AudioContext, "sampleRate"),
  brand(globalThis.AudioNode, "context"),
  brand(globalThis.MediaStream, "id"),
].filter(Boolean);

/** Whether `v` is binary data or an object of the browser's audio classes (never runs the app's code). */
function keptAsIs(v) {
  if (ArrayBuffer.isView(v)) return true;
  for (const get of brands) {
    try {
      get.call(v);
      return true;
    } catch {}
  }
  return false;
}

// `seen`: the objects being copied (on the path from the bag to here: one met again is a cycle); `done`: those
// copied already, reused, so an object shared by many fields is copied once (a bag of shared references cannot
// make the copy exponential).
function copy(v, path, depth, seen, done) {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return v;
  if (typeof v === "function") {
    throw new CopyError(
      `${path}\u0000is a function: option values are data (strings, numbers, booleans, objects, arrays) or an ` +
        "AudioContext, AudioNode or MediaStream",
    );
  }
  if (keptAsIs(v)) return v;
  if (done.has(v)) return done.get(v);
  if (depth >= MAX_DEPTH) throw new CopyError(`${path}\u0000is nested more than ${MAX_DEPTH} levels deep`);
  if (seen.has(v)) throw new CopyError(`${path}\u0000refers back to an object that contains it (a cycle)`);
  seen.add(v);
  let out;
  let isArray;
  try {
    isArray = Array.isArray(v);
  } catch (e) {
    fail(path, "checking its type", e);
  }
  if (isArray) {
    let n;
    try {
      n = v.length;
    } catch (e) {
      fail(path, "reading its length", e);
    }
    if (!(n <= MAX_ITEMS)) throw new CopyError(`${path}\u0000has ${n} items, more than ${MAX_ITEMS}`);
    out = [];
    for (let i = 0; i < n; i++) {
      let item;
      try {
        item = v[i];
      } catch (e) {
        fail(`${path}[${i}]`, "reading it", e);
      }
      out.push(copy(item, `${path}[${i}]`, depth + 1, seen, done));
    }
  } else {
    let keys;
    try {
      keys = Object.keys(v);
    } catch (e) {
      fail(path, "listing its keys", e);
    }
    out = {};
    for (const k of keys) {
      let item;
      try {
        item = v[k];
      } catch (e) {
        fail(`${path}.${k}`, "reading it", e);
      }
      out[k] = copy(item, `${path}.${k}`, depth + 1, seen, done);
    }
  }
  seen.delete(v);
  done.set(v, out);
  return out;
}

/**
 * The bag as plain data. Throws an Error whose message is the value's path inside the bag (`.options.model`,
 * `[1]`, or empty for the bag itself), a NUL character, and what went wrong.
 */
export function plainCopy(value) {
  return copy(value, "", 0, new Set(), new Map());
}

// ---- Audio bytes ----
// The bytes of `sendAudio(data)`, copied: an ArrayBuffer or a view of one (a typed array, a DataView). The
// checks are the buffers' own brand checks (the built-in getters called on the value): a Proxy or an object
// dressed up as a buffer is not one, and nothing of the app's code runs. Nothing here throws.

const getter = (proto, name) => Object.getOwnPropertyDescriptor(proto, name).get;
const typedArray = Object.getPrototypeOf(Int8Array.prototype);
const viewGetters = [typedArray, DataView.prototype].map((p) => [
  getter(p, "buffer"),
  getter(p, "byteOffset"),
  getter(p, "byteLength"),
]);
const bufferLength = getter(ArrayBuffer.prototype, "byteLength");
const detachedGetter = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "detached");

function isDetached(buffer) {
  if (detachedGetter) return detachedGetter.get.call(buffer);
  try {
    new Uint8Array(buffer);
    return false;
  } catch {
    return true;
  }
}

function bytes(buffer, offset, length) {
  if (length === 0 && isDetached(buffer)) return "detached";
  return new Uint8Array(buffer, offset, length).slice();
}

/** A copy of the bytes of `v`; `"detached"` for a buffer given away (transferred); `null` for anything else. */
export function audioBytes(v) {
  try {
    return bytes(v, 0, bufferLength.call(v));
  } catch {}
  for (const [buffer, offset, length] of viewGetters) {
    try {
      return bytes(buffer.call(v), offset.call(v), length.call(v));
    } catch {}
  }
  return null;
}
