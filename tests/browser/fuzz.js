// The fuzz driver of tests/browser/fuzz.rs: calls every constructor, method, getter and setter the classes export
// (found on their prototypes, so a new one is covered without editing this file) with generated JS values, in
// every state, from the test and from inside event handlers. Each call must return, or throw (reject) an `Error`
// with a string `kind`; never a `WebAssembly.RuntimeError`, never an error without a kind. Seeded: the same seed
// makes the same calls.

const MAX_REENTRY_DEPTH = 2;
/** Members that end the object's state: called only near the end of a state's calls, so that the rest of the
 * calls meet the state they are meant for. */
const ENDING = new Set(["free", "close", "closeStream", "[Symbol.dispose]"]);

// mulberry32: small, fast, and the same sequence in every engine.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function detached(make) {
  const v = make();
  const buffer = v instanceof ArrayBuffer ? v : v.buffer;
  structuredClone(buffer, { transfer: [buffer] });
  return v;
}

function nested(levels) {
  let v = {};
  for (let i = 0; i < levels; i++) v = { options: v, listen: v, microphone: v };
  return v;
}

const throwing = (what) => () => {
  throw new Error(`fuzz: ${what}`);
};

const throwingProxy = () =>
  new Proxy(
    {},
    Object.fromEntries(
      ["get", "has", "ownKeys", "getPrototypeOf", "getOwnPropertyDescriptor", "apply", "construct"].map((t) => [
        t,
        throwing(`proxy ${t} trap`),
      ]),
    ),
  );

/** The values, by kind: each call makes a fresh one (some are used up: detached buffers, revoked proxies). */
function valueKinds(env) {
  // 1 Mi characters; used three times at most (as text, each use is 512 Speak messages the server voices).
  const huge = "a".repeat(1 << 20);
  let hugeUses = 0;
  return [
    ["undefined", () => undefined],
    ["null", () => null],
    ["true", () => true],
    ["false", () => false],
    ["0", () => 0],
    ["-0", () => -0],
    ["1", () => 1],
    ["-1", () => -1],
    ["0.5", () => 0.5],
    ["123", () => 123],
    ["NaN", () => NaN],
    ["Infinity", () => Infinity],
    ["-Infinity", () => -Infinity],
    ["1e300", () => 1e300],
    ["2**53+2", () => 2 ** 53 + 2],
    ["BigInt", () => 10n],
    ["empty string", () => ""],
    ["digits", () => "1 2 3"],
    ["sentence", () => "Hello there. How are you?"],
    ["event name", () => env.pick(env.eventNames)],
    ["misspelt event name", () => "transcrpt"],
    ["huge string", () => (++hugeUses <= 3 ? huge : "a".repeat(3000))],
    ["lone high surrogate", () => "4 \uD83D"],
    ["lone low surrogate", () => "\uDE00 5"],
    ["unpaired surrogates", () => "\uDC00\uD800\uDBFF"],
    ["NUL", () => "a\u0000b"],
    ["symbol", () => Symbol("fuzz")],
    ["empty array", () => []],
    ["array of numbers", () => [1, 2, 3]],
    ["array of strings", () => ["open", "close"]],
    ["sparse array", () => new Array(5)],
    ["Uint8Array", () => new Uint8Array(640)],
    ["Int16Array", () => new Int16Array(320).fill(1000)],
    ["Float32Array", () => new Float32Array(160)],
    ["DataView", () => new DataView(new ArrayBuffer(64), 8, 16)],
    ["ArrayBuffer", () => new ArrayBuffer(320)],
    ["empty ArrayBuffer", () => new ArrayBuffer(0)],
    ["SharedArrayBuffer-less view", () => new Uint8Array(new ArrayBuffer(64), 60)],
    ["detached ArrayBuffer", () => detached(() => new ArrayBuffer(64))],
    ["detached Int16Array", () => detached(() => new Int16Array(32))],
    ["empty object", () => ({})],
    ["object with toString", () => ({ toString: () => "1 2 3", valueOf: () => 7 })],
    ["object with throwing toString", () => ({ toString: throwing("toString"), valueOf: throwing("valueOf") })],
    [
      "object with throwing getters",
      () =>
        Object.defineProperties(
          {},
          Object.fromEntries(
            ["baseUrl", "auth", "options", "listen", "speak", "microphone", "stream", "node", "text", "type"].map(
              (k) => [k, { get: throwing(`getter ${k}`), enumerable: true }],
            ),
          ),
        ),
    ],
    ["LLM chunk object", () => ({ type: "text", text: "1 2 3", delta: { content: "4" } })],
    ["throwing proxy", throwingProxy],
    ["forwarding proxy", () => new Proxy({ microphone: false, options: { model: "nova-3" } }, {})],
    ["proxy of an array", () => new Proxy([1, 2], {})],
    [
      "proxy dressed as an ArrayBuffer",
      () => new Proxy({}, { getPrototypeOf: () => ArrayBuffer.prototype, get: throwing("lookalike get") }),
    ],
    [
      "proxy dressed as an AudioNode",
      () => new Proxy({}, { getPrototypeOf: () => AudioNode.prototype, get: throwing("lookalike get") }),
    ],
    [
      "revoked proxy",
      () => {
        const { proxy, revoke } = Proxy.revocable({}, {});
        revoke();
        return proxy;
      },
    ],
    [
      "object containing itself",
      () => {
        const o = { baseUrl: env.serverUrl };
        o.options = o;
        o.microphone = o;
        return o;
      },
    ],
    ["deeply nested object", () => nested(200)],
    ["object sharing one object 20 levels deep", () => nested(20)],
    ["valid options", () => env.validOptions()],
    ["valid options with bad inner values", () => ({ ...env.validOptions(), options: { model: 5, keyterm: [{}] } })],
    ["source: microphone", () => ({ microphone: true })],
    ["source: bad microphone", () => ({ microphone: { deviceId: throwingProxy(), echoCancellation: "yes" } })],
    ["source: empty MediaStream", () => ({ stream: new MediaStream() })],
    ["source: node", () => ({ node: env.context.createGain() })],
    ["function", () => () => {}],
    ["throwing handler", () => env.throwingHandler],
    ["re-entrant handler", () => env.reentrantHandler],
    ["async function", () => async () => {}],
    ["class", () => class {}],
    ["Promise", () => Promise.resolve(1)],
    ["Date", () => new Date(0)],
    ["RegExp", () => /open/],
    ["Map", () => new Map([["model", "nova-3"]])],
    ["Error", () => new Error("fuzz value")],
    ["String object", () => new String("1 2 3")],
    ["Number object", () => new Number(1)],
    ["AudioContext", () => env.context],
    ["GainNode", () => env.context.createGain()],
    ["MediaStream", () => new MediaStream()],
    ["window", () => window],
  ];
}

/** Everything callable on an instance: methods (and `Symbol.dispose`), getters, setters; not the glue's `__` internals. */
function members(cls) {
  const out = [];
  const proto = cls.prototype;
  for (const key of [...Object.getOwnPropertyNames(proto), ...Object.getOwnPropertySymbols(proto)]) {
    if (key === "constructor" || (typeof key === "string" && key.startsWith("__"))) continue;
    const d = Object.getOwnPropertyDescriptor(proto, key);
    const name = typeof key === "symbol" ? `[${key.description}]` : key;
    if (typeof d.value === "function") out.push({ key, name, kind: "method", ending: ENDING.has(name) });
    if (d.get) out.push({ key, name, kind: "getter" });
    if (d.set) out.push({ key, name, kind: "setter" });
  }
  return out;
}

/**
 * Runs the fuzz. `classes`: `{Transcriber, Speaker, VoiceSession}` (the exported classes); `config`: `{seed, calls,
 * serverUrl, events: {Class: [names]}}`. Resolves with a report; the test asserts `failures` is empty.
 */
export async function fuzz(classes, config) {
  // Calls made from event handlers draw from their own stream: when events arrive varies from run to run, and the
  // direct calls must not depend on it (the same seed makes the same direct calls).
  const direct = rng(config.seed);
  const fromHandlers = rng(config.seed ^ 0x9e3779b9);
  let random = direct;
  const report = {
    seed: config.seed,
    calls: 0,
    handlerCalls: 0,
    handlerThrows: 0,
    returned: 0,
    errors: {},
    examples: {},
    kindsUsed: {},
    valueKinds: 0,
    members: {},
    states: [],
    failures: [],
  };
  const pending = [];
  const instances = [];
  let current = null;
  let currentClass = null;
  let depth = 0;

  const env = {
    serverUrl: config.serverUrl,
    context: new AudioContext(),
    eventNames: [],
    pick: (list) => list[Math.floor(random() * list.length)],
    validOptions: () => config.options[currentClass],
    throwingHandler: () => {
      report.handlerThrows++;
      if (report.handlerThrows <= 5) throw new Error("fuzz: a handler threw");
    },
    reentrantHandler: () => {
      if (depth >= MAX_REENTRY_DEPTH || report.handlerCalls >= config.calls / 4 || !current) return;
      depth++;
      report.handlerCalls++;
      const outer = random;
      random = fromHandlers;
      try {
        callOne(current, currentClass, "from a handler", random() < 0.05);
      } finally {
        random = outer;
        depth--;
      }
    },
  };
  const kinds = valueKinds(env);
  report.valueKinds = kinds.length;

  function value() {
    const [kind, make] = kinds[Math.floor(random() * kinds.length)];
    report.kindsUsed[kind] = (report.kindsUsed[kind] ?? 0) + 1;
    return [kind, make()];
  }

  function describe(e) {
    try {
      return e instanceof Error ? `${e.name}: ${e.message}` : `${typeof e} ${String(e)}`;
    } catch {
      return "an undescribable exception";
    }
  }

  function outcome(what, e) {
    if (e instanceof WebAssembly.RuntimeError) {
      report.failures.push(`${what}: WebAssembly trap (${describe(e)})`);
    } else if (!(e instanceof Error)) {
      report.failures.push(`${what}: threw something that is not an Error (${describe(e)})`);
    } else if (typeof e.kind !== "string") {
      report.failures.push(`${what}: an Error without a kind (${describe(e)})`);
    } else {
      report.errors[e.kind] = (report.errors[e.kind] ?? 0) + 1;
      report.examples[e.kind] ??= `${what}: ${describe(e)}`;
    }
  }

  function call(what, f) {
    report.calls++;
    // `trace: true` logs every call before it is made: the last line before a hang or a trap is the culprit.
    if (config.trace) console.log(`fuzz call ${report.calls}: ${what}`);
    let r;
    try {
      r = f();
    } catch (e) {
      outcome(what, e);
      return;
    }
    report.returned++;
    if (r instanceof Promise) pending.push(r.then(() => {}, (e) => outcome(`${what} (rejected)`, e)));
  }

  function callOne(target, className, where, ending) {
    const m = env.pick(config.members[className].filter((m) => ending || !m.ending));
    report.members[`${className}.${m.name}`] = (report.members[`${className}.${m.name}`] ?? 0) + 1;
    if (m.kind === "getter") {
      call(`${className}.${m.name} (get, ${where})`, () => target[m.key]);
    } else if (m.kind === "setter") {
      const [kind, v] = value();
      call(`${className}.${m.name} = ${kind} (${where})`, () => {
        target[m.key] = v;
      });
    } else {
      const n = Math.floor(random() * 3);
      const args = [];
      const names = [];
      for (let i = 0; i < n; i++) {
        const [kind, v] = value();
        args.push(v);
        names.push(kind);
      }
      call(`${className}.${m.name}(${names.join(", ")}) (${where})`, () => target[m.key](...args));
    }
  }

  async function settle() {
    const all = pending.splice(0);
    let timer;
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve("timeout"), config.settleMs);
    });
    const r = await Promise.race([Promise.all(all).then(() => "settled"), timeout]);
    clearTimeout(timer);
    if (r === "timeout") report.failures.push(`${all.length} promises still pending after ${config.settleMs} ms`);
  }

  for (const name of Object.keys(classes)) {
    config.members[name] = members(classes[name]);
  }

  // Fixed cases first: the calls that trapped the module or threw untyped errors before, through the glue.
  report.fixed = [];
  {
    const t = new classes.Transcriber(config.options.Transcriber);
    const sp = new classes.Speaker(config.options.Speaker);
    const fixed = [
      ["speaker.speak(123)", () => sp.speak(123)],
      ["speaker.speak({toString})", () => sp.speak({ toString: () => "hi" })],
      ["speaker.speak()", () => sp.speak()],
      ["speaker.speak([1, 2, 3])", () => sp.speak([1, 2, 3])],
      ["transcriber.on(5, fn)", () => t.on(5, () => {})],
      ["transcriber.on({}, fn)", () => t.on({}, () => {})],
      ["transcriber.off(7)", () => t.off(7)],
      ["transcriber.on('open', 'nope')", () => t.on("open", "nope")],
      ["speaker.volume = 11", () => (sp.volume = 11)],
      ["transcriber.sendAudio(detached)", () => t.sendAudio(detached(() => new Int16Array(4)))],
      ["transcriber.finalize() after free()", () => (t.free(), t.finalize())],
      // WebKit (Safari 18, WebKitGTK 2.50) has no Symbol.dispose yet: there a second free() stands in for it.
      ["speaker.flush() after free()", () => (sp.free(), typeof Symbol.dispose === "symbol" ? sp[Symbol.dispose]() : sp.free(), sp.flush())],
    ];
    for (const [what, f] of fixed) {
      report.calls++;
      try {
        f();
        report.fixed.push({ call: what, returned: true });
      } catch (e) {
        outcome(what, e);
        report.fixed.push({ call: what, kind: e?.kind ?? null, message: describe(e) });
      }
    }
  }

  // Constructors with any value.
  for (const [name, cls] of Object.entries(classes)) {
    currentClass = name;
    for (let i = 0; i < config.calls / 10; i++) {
      const [kind, v] = value();
      call(`new ${name}(${kind})`, () => {
        const made = new cls(v);
        instances.push(made);
        return made;
      });
    }
    call(`new ${name}()`, () => instances.push(new cls()));
  }

  // Every class in every state.
  const states = ["new", "connecting", "open", "closing", "closed", "freed"];
  for (const [name, cls] of Object.entries(classes)) {
    currentClass = name;
    env.eventNames = config.events[name];
    for (const state of states) {
      const target = new cls(config.options[name]);
      instances.push(target);
      current = target;
      for (const ev of env.eventNames) {
        target.on(ev, env.reentrantHandler);
        if (random() < 0.5) target.on(ev, env.throwingHandler);
      }
      const started = () => (name === "Speaker" ? target.start() : target.start(config.sources[name]));
      try {
        if (state === "connecting") {
          started().catch(() => {});
          // start() runs its first step in a microtask; the socket cannot open before the next task.
          for (let i = 0; i < 5; i++) await null;
        }
        if (state === "open" || state === "closing" || state === "closed") await started();
        if (state === "closing") {
          (name === "Transcriber" ? target.closeStream() : target.close()).catch(() => {});
          for (let i = 0; i < 5; i++) await null;
        }
        if (state === "closed") await (name === "Transcriber" ? target.closeStream() : target.close());
        if (state === "freed") target.free();
      } catch (e) {
        report.failures.push(`${name}: could not reach the state "${state}": ${describe(e)}`);
      }
      if (config.trace || config.progress) console.log(`fuzz: ${name} in the state "${state}"`);
      const now = name === "VoiceSession" ? `${target.transcriber.state}/${target.speaker.state}` : target.state;
      report.states.push(`${name} ${state}: ${now}`);
      const n = config.calls / (3 * states.length);
      for (let i = 0; i < n; i++) {
        callOne(target, name, state, i >= 0.9 * n);
        // Now and then a task boundary: socket messages, worklet reports and timers come in between calls, and
        // their events run the handlers.
        if (i % 8 === 7) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      await settle();
      call(`${name}.free() after the state "${state}"`, () => target.free());
    }
  }

  current = null;
  for (const i of instances) {
    try {
      i.free();
    } catch (e) {
      outcome("free() at the end", e);
    }
  }
  await settle();
  await env.context.close();
  return report;
}
