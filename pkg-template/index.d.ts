// TypeScript declarations of deepgram-live-wasm, written by hand: wasm-bindgen's generated
// deepgram_live_wasm.d.ts types every option bag and payload as `any`; these describe what the library actually
// accepts and emits (src/api/*.rs), so editors complete option names and event payloads and `tsc` catches typos.
// They describe the module deepgram_live_wasm.js; package.json points `types` here.

// ---------------------------------------------------------------------------------------------------------------
// Loading the WebAssembly module
// ---------------------------------------------------------------------------------------------------------------

/** What `init()` can load the WebAssembly module from (a URL, a fetch `Response`, bytes, or a compiled module). */
export type InitInput = RequestInfo | URL | Response | BufferSource | WebAssembly.Module;

/** What `initSync()` can instantiate synchronously: bytes or an already compiled module. */
export type SyncInitInput = BufferSource | WebAssembly.Module;

/**
 * The instantiated module's exports. Only `memory` is meant for apps (e.g. to watch its size); the other exports
 * are the glue's internals and not part of the API.
 */
export interface InitOutput {
  /** The module's linear memory. */
  readonly memory: WebAssembly.Memory;
}

/**
 * Loads and instantiates the WebAssembly module. Call (and await) it once before creating any class; later calls
 * return the same instance.
 *
 * With no argument the module is fetched from `deepgram_live_wasm_bg.wasm` beside the JS file
 * (`new URL('deepgram_live_wasm_bg.wasm', import.meta.url)`, which Vite and webpack 5 rewrite). Pass
 * `{ module_or_path }` to load it from elsewhere (a CDN URL, a `Response`, bytes, a `WebAssembly.Module`).
 * Passing the input directly instead of inside `{ module_or_path }` still works but is deprecated by wasm-bindgen.
 *
 * Rejects with a {@link DeepgramLiveError} of kind `"unsupported"` when this browser cannot run the module: no
 * WebAssembly (iOS Lockdown Mode) or no 128-bit WebAssembly SIMD (Safari < 16.4, Firefox < 89, Chrome < 91).
 *
 * @example
 * import init, { Transcriber } from "deepgram-live-wasm";
 * await init();
 */
export default function init(
  module_or_path?: { module_or_path: InitInput | Promise<InitInput> } | InitInput | Promise<InitInput>,
): Promise<InitOutput>;

/**
 * Instantiates the module synchronously from bytes or a compiled `WebAssembly.Module` (browsers refuse to compile
 * modules over 8 MB synchronously on the main thread; this one is far smaller). Passing the input directly instead
 * of inside `{ module }` is deprecated by wasm-bindgen. Throws the same `"unsupported"` error as {@link init}.
 */
export function initSync(module: { module: SyncInitInput } | SyncInitInput): InitOutput;

// ---------------------------------------------------------------------------------------------------------------
// Common options
// ---------------------------------------------------------------------------------------------------------------

/**
 * How the connection authenticates. The secret is sent as a WebSocket subprotocol (`["token", apiKey]` or
 * `["bearer", accessToken]`), never in the URL, and never appears in error messages.
 *
 * - `{ accessToken }`: a short-lived JWT your backend minted with `POST /v1/auth/grant` (recommended in browsers).
 * - `{ apiKey }`: a Deepgram API key. **Anything in a browser is visible to every user of the page**: use it only
 *   for local tools and demos, never on a public page.
 * - `{}`: no credentials, for a proxy that adds the `Authorization` header itself, or the local server.
 *
 * Giving both keys is an `options` error; an API key that looks like a JWT is rejected (use `accessToken`).
 */
export type Auth =
  | { /** A Deepgram API key (visible to every user of the page!). */ apiKey: string; accessToken?: undefined }
  | { /** A short-lived JWT from `POST /v1/auth/grant`. */ accessToken: string; apiKey?: undefined }
  | { apiKey?: undefined; accessToken?: undefined };

/**
 * Where the AudioWorklet module is loaded from.
 * - `"file"` (default): the package's own file beside the glue code, found with
 *   `new URL('./…-processor.js', import.meta.url)` (works under `script-src 'self'`; bundlers copy the file).
 * - `"blob"`: a Blob URL built from the same source, for hosts that cannot serve the files; the page's CSP must
 *   then allow `blob:` in `script-src`.
 * - any other string containing `/` or `:`: a URL where you serve a copy of the processor file yourself
 *   (`capture-processor.js` for a Transcriber, `playback-processor.js` for a Speaker).
 */
export type WorkletSource = "file" | "blob" | (string & {});

/** The lifecycle of a connection: not started, opening, open, closing (graceful end under way), closed. */
export type ConnectionState = "idle" | "connecting" | "open" | "closing" | "closed";

/** Options every class shares. */
export interface ConnectionOptions {
  /**
   * The server: `wss://api.deepgram.com` (default), a self-hosted Deepgram, your proxy, or the local server.
   * `http(s)://` is accepted and turned into `ws(s)://` (the local server prints `http://127.0.0.1:PORT`); a path
   * prefix is kept (for proxies).
   */
  baseUrl?: string;
  /** Credentials; see {@link Auth}. Default `{}` (no credentials). */
  auth?: Auth;
}

/** Microphone constraints for `getUserMedia`. All processing is on by default (what speech recognition wants). */
export interface MicrophoneOptions {
  /** A device from `navigator.mediaDevices.enumerateDevices()`; default: the browser's default microphone. */
  deviceId?: string;
  /** Default `true`. Keep it on when the page also plays audio (a VoiceSession), or the mic hears the speaker. */
  echoCancellation?: boolean;
  /** Default `true`. */
  noiseSuppression?: boolean;
  /** Default `true`. */
  autoGainControl?: boolean;
}

/** Where a Transcriber's audio comes from. Give one of `microphone`, `stream` or `node`. */
export type StartSource =
  | {
      /** `true` for the constructor's `microphone` constraints, or constraints for this start. */
      microphone: true | MicrophoneOptions;
      stream?: undefined;
      node?: undefined;
      /** Run capture in this context instead of one the Transcriber creates (and closes). */
      audioContext?: AudioContext;
    }
  | {
      /** An existing `MediaStream` (its first audio track is captured; the Transcriber does not stop it). */
      stream: MediaStream;
      microphone?: undefined | false;
      node?: undefined;
      /** Run capture in this context instead of one the Transcriber creates (and closes). */
      audioContext?: AudioContext;
    }
  | {
      /** An `AudioNode` of `audioContext` (e.g. a file player, an oscillator, a mixer). */
      node: AudioNode;
      microphone?: undefined | false;
      stream?: undefined;
      /** The node's context: required in practice, since a node belongs to one context. */
      audioContext?: AudioContext;
    };

// ---------------------------------------------------------------------------------------------------------------
// Deepgram query options (Deepgram's own parameter names, so they can be copied from Deepgram's documentation)
// ---------------------------------------------------------------------------------------------------------------

/** The `/v1/listen` models of Deepgram's API specification (July 2026). Any other string is accepted too. */
export type ListenModel =
  | "nova-3" | "nova-3-general" | "nova-3-medical"
  | "nova-2" | "nova-2-general" | "nova-2-meeting" | "nova-2-finance" | "nova-2-conversationalai"
  | "nova-2-voicemail" | "nova-2-video" | "nova-2-medical" | "nova-2-drivethru" | "nova-2-automotive"
  | "nova" | "nova-general" | "nova-phonecall" | "nova-medical"
  | "enhanced" | "enhanced-general" | "enhanced-meeting" | "enhanced-phonecall" | "enhanced-finance"
  | "base" | "meeting" | "phonecall" | "finance" | "conversationalai" | "voicemail" | "video" | "custom";

/** Raw audio encodings `/v1/listen` accepts. Leave `encoding` unset for containerized audio (WebM, Ogg, WAV). */
export type ListenEncoding =
  | "linear16" | "linear32" | "flac" | "alaw" | "mulaw" | "amr-nb" | "amr-wb" | "opus" | "ogg-opus" | "speex" | "g729";

/**
 * An entity type `redact` removes (docs/supported-entity-types; English only on streaming). `cardinal`,
 * `ordinal` and `percent` are found by `detect_entities` but cannot be redacted (an `options` error).
 */
export type RedactEntityType =
  | "account_number" | "age" | "bank_account" | "blood_type" | "condition" | "credit_card"
  | "credit_card_expiration" | "cvv" | "date" | "date_interval" | "dob" | "driver_license" | "drug"
  | "email_address" | "event" | "filename" | "gender_sexuality" | "healthcare_number" | "injury" | "ip_address"
  | "language" | "location" | "location_address" | "location_city" | "location_coordinate" | "location_country"
  | "location_state" | "location_zip" | "marital_status" | "medical_process" | "money" | "name" | "name_family"
  | "name_given" | "name_medical_professional" | "numerical_pii" | "occupation" | "organization" | "origin"
  | "passport_number" | "password" | "phone_number" | "physical_attribute" | "political_affiliation" | "religion"
  | "routing_number" | "ssn" | "statistics" | "time" | "url" | "username" | "vehicle_id" | "zodiac_sign";

/**
 * One `redact` value: number redaction (`"true"` = `"numbers"`, `"aggressive_numbers"`), a group (`"pci"`,
 * `"pii"`, `"phi"`), or an entity type. A newer entity type spelt the same way (`snake_case`) is passed on; a
 * near miss of a known one (`"names"`) is an `options` error suggesting it.
 */
export type RedactOption =
  | "true" | "numbers" | "aggressive_numbers" | "pci" | "pii" | "phi" | RedactEntityType | (string & {});

/**
 * Query parameters this version does not know by name, sent verbatim (percent-encoded) after the typed ones:
 * an object (`{ new_param: "x" }`; an array value repeats the key) or `[key, value]` pairs (order kept).
 * A key that is one of the typed options is an error (set the typed option instead).
 */
export type ExtraQuery =
  | Record<string, string | number | boolean | null | ReadonlyArray<string | number | boolean>>
  | ReadonlyArray<readonly [string, string | number | boolean]>;

/** A parameter that Deepgram repeats in the query (`keyterm=a&keyterm=b`): one string or a list. */
export type Repeatable = string | readonly string[];

/**
 * `/v1/listen` query parameters, validated synchronously by the constructor (an unknown name is an `options`
 * error suggesting the nearest one, e.g. `modle` → `model`). `null` or `undefined` means "not sent" (Deepgram's
 * default applies). Parameters newer than this version go in {@link ListenOptions.extra_query}.
 *
 * With microphone (or stream/node) capture and no `encoding`, the library sends `linear16` at 16 kHz mono and sets
 * `encoding`/`sample_rate` for you; with `encoding` set, capture produces `linear16`, `linear32`, `mulaw` or
 * `alaw` at your `sample_rate` and `channels`.
 */
export interface ListenOptions {
  /** Model, e.g. `"nova-3"`, `"nova-2-phonecall"`. */
  model?: ListenModel | (string & {}) | null;
  /** BCP-47 language tag (`"en"`, `"en-US"`, `"es"`), or `"multi"` for nova-3 multilingual. */
  language?: string | null;
  /** Language hints (repeatable); only with `model: "nova-3"` and `language: "multi"`. */
  language_hint?: Repeatable | null;
  /** Model version, default `"latest"`. */
  version?: string | null;
  /** Encoding of raw audio; unset for containerized audio. Requires `sample_rate`. */
  encoding?: ListenEncoding | null;
  /**
   * Sample rate in Hz of the audio sent; required with `encoding`. Without `encoding` Deepgram ignores it: a
   * `warning` (`option_ignored`) when the stream starts (with capture, it is the rate captured audio is sent at).
   */
  sample_rate?: number | null;
  /** Channels of the audio sent (only read with `encoding`; without it an `option_ignored` warning). */
  channels?: number | null;
  /** Transcribe each channel separately (`channel_index` tells which). */
  multichannel?: boolean | null;
  /** Interim results (`is_final: false`, about once a second) while an utterance is spoken. */
  interim_results?: boolean | null;
  /** Milliseconds of silence that end an utterance (`speech_final: true`), or `false` to disable. Deepgram: 10. */
  endpointing?: number | false | null;
  /**
   * Send `UtteranceEnd` after this many ms without words; needs `interim_results: true`. 1000 or more is useful
   * (below, an `option_no_effect` warning: interim results come about once a second).
   */
  utterance_end_ms?: number | null;
  /** Send `SpeechStarted` events when voice activity begins. */
  vad_events?: boolean | null;
  /** Add punctuation and capitalization. */
  punctuate?: boolean | null;
  /** Format numbers, dates, currency and more (implies punctuation). */
  smart_format?: boolean | null;
  /** Return results as soon as possible (smart_format may otherwise wait for a number to complete). */
  no_delay?: boolean | null;
  /** Recognize speakers: each word gets a `speaker` number from 0. */
  diarize?: boolean | null;
  /** Diarization model version (`"latest"`, `"v1"`). */
  diarize_model?: "latest" | "v1" | (string & {}) | null;
  /** Spoken dictation commands ("period", "new line") become punctuation; needs `punctuate: true` (else a warning). */
  dictation?: boolean | null;
  /** Numbers as digits ("nine" → "9"). */
  numerals?: boolean | null;
  /** Units as abbreviations ("five milligrams" → "5 mg"). */
  measurements?: boolean | null;
  /** Keep filler words ("uh", "um"). */
  filler_words?: boolean | null;
  /** Mask profanity. */
  profanity_filter?: boolean | null;
  /** Redact sensitive data: `true`, or one or more {@link RedactOption}s (`["pii", "name"]`), in order. */
  redact?: boolean | RedactOption | readonly RedactOption[] | null;
  /** Entity detection (final results carry `entities`). */
  detect_entities?: boolean | null;
  /** Key terms to boost (repeatable); nova-3 only. */
  keyterm?: Repeatable | null;
  /** Keywords with boost, `"word:2"` (repeatable); nova-2 and older (not nova-3). */
  keywords?: Repeatable | null;
  /** Terms to search for (repeatable). */
  search?: Repeatable | null;
  /** Replacements, `"find:replace"` (repeatable). */
  replace?: Repeatable | null;
  /** Usage tags, at most 128 characters each (repeatable). */
  tag?: Repeatable | null;
  /** Extra metadata echoed back, `"key:value"` (repeatable). */
  extra?: Repeatable | null;
  /** A URL (http(s) or ws(s)) Deepgram also sends results to. */
  callback?: string | null;
  /** HTTP method of `callback` requests (needs `callback`). */
  callback_method?: "POST" | "GET" | "PUT" | "DELETE" | "post" | "get" | "put" | "delete" | null;
  /** Opt out of the Deepgram Model Improvement Program. */
  mip_opt_out?: boolean | null;
  /** Parameters this version does not know by name; see {@link ExtraQuery}. */
  extra_query?: ExtraQuery | null;
}

/** The Aura voices of Deepgram's API specification (July 2026). Any other string is accepted too. */
export type SpeakModel =
  | "aura-angus-en" | "aura-arcas-en" | "aura-asteria-en" | "aura-athena-en" | "aura-helios-en" | "aura-hera-en"
  | "aura-luna-en" | "aura-orion-en" | "aura-orpheus-en" | "aura-perseus-en" | "aura-stella-en" | "aura-zeus-en"
  | "aura-2-amalthea-en" | "aura-2-andromeda-en" | "aura-2-apollo-en" | "aura-2-arcas-en" | "aura-2-aries-en"
  | "aura-2-asteria-en" | "aura-2-athena-en" | "aura-2-atlas-en" | "aura-2-aurora-en" | "aura-2-callista-en"
  | "aura-2-cora-en" | "aura-2-cordelia-en" | "aura-2-delia-en" | "aura-2-draco-en" | "aura-2-electra-en"
  | "aura-2-harmonia-en" | "aura-2-helena-en" | "aura-2-hera-en" | "aura-2-hermes-en" | "aura-2-hyperion-en"
  | "aura-2-iris-en" | "aura-2-janus-en" | "aura-2-juno-en" | "aura-2-jupiter-en" | "aura-2-luna-en"
  | "aura-2-mars-en" | "aura-2-minerva-en" | "aura-2-neptune-en" | "aura-2-odysseus-en" | "aura-2-ophelia-en"
  | "aura-2-orion-en" | "aura-2-orpheus-en" | "aura-2-pandora-en" | "aura-2-phoebe-en" | "aura-2-pluto-en"
  | "aura-2-saturn-en" | "aura-2-selene-en" | "aura-2-thalia-en" | "aura-2-theia-en" | "aura-2-vesta-en"
  | "aura-2-zeus-en"
  | "aura-2-agustina-es" | "aura-2-alvaro-es" | "aura-2-antonia-es" | "aura-2-aquila-es" | "aura-2-carina-es"
  | "aura-2-celeste-es" | "aura-2-diana-es" | "aura-2-estrella-es" | "aura-2-gloria-es" | "aura-2-javier-es"
  | "aura-2-luciano-es" | "aura-2-nestor-es" | "aura-2-olivia-es" | "aura-2-selena-es" | "aura-2-silvia-es"
  | "aura-2-sirio-es" | "aura-2-valerio-es"
  | "aura-2-aurelia-de" | "aura-2-elara-de" | "aura-2-fabian-de" | "aura-2-julius-de" | "aura-2-kara-de"
  | "aura-2-lara-de" | "aura-2-viktoria-de"
  | "aura-2-beatrix-nl" | "aura-2-cornelia-nl" | "aura-2-daphne-nl" | "aura-2-hestia-nl" | "aura-2-lars-nl"
  | "aura-2-leda-nl" | "aura-2-rhea-nl" | "aura-2-roman-nl" | "aura-2-sander-nl"
  | "aura-2-agathe-fr" | "aura-2-hector-fr"
  | "aura-2-cesare-it" | "aura-2-cinzia-it" | "aura-2-demetra-it" | "aura-2-dionisio-it" | "aura-2-elio-it"
  | "aura-2-flavio-it" | "aura-2-livia-it" | "aura-2-maia-it" | "aura-2-melia-it" | "aura-2-perseo-it"
  | "aura-2-ama-ja" | "aura-2-ebisu-ja" | "aura-2-fujin-ja" | "aura-2-izanami-ja" | "aura-2-uzume-ja";

/** Output encodings of the `/v1/speak` WebSocket (raw audio, no container); all three can be played. */
export type SpeakEncoding = "linear16" | "mulaw" | "alaw";

/**
 * `/v1/speak` query parameters, validated synchronously (unknown names are an `options` error).
 * `sample_rate` must suit the encoding: linear16 8000, 16000, 24000 (default), 32000 or 48000; mulaw/alaw 8000
 * (default) or 16000.
 */
export interface SpeakOptions {
  /** The voice, e.g. `"aura-2-thalia-en"`. */
  model?: SpeakModel | (string & {}) | null;
  /** Default `"linear16"`. */
  encoding?: SpeakEncoding | null;
  /** Output rate in Hz (see above); the library resamples to the AudioContext's rate for playback. */
  sample_rate?: 8000 | 16000 | 24000 | 32000 | 48000 | null;
  /** Speaking rate multiplier, 0.7 to 1.5. */
  speed?: number | null;
  /** Opt out of the Deepgram Model Improvement Program. */
  mip_opt_out?: boolean | null;
  /** Parameters this version does not know by name; see {@link ExtraQuery}. */
  extra_query?: ExtraQuery | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Class options
// ---------------------------------------------------------------------------------------------------------------

/** The Transcriber's knobs beside `options` (shared with VoiceSession). */
export interface TranscriberSettings {
  /** Send a KeepAlive after this many ms without audio (0 to 9000, default 4000; Deepgram closes after 10 s). */
  keepAliveMs?: number;
  /** Audio frame length in ms, 10 to 100 (default 20). */
  frameMs?: number;
  /** How long `closeStream()` waits for the server to close, in ms (100 to 120000). */
  closeTimeoutMs?: number;
  /** How long after `finalize()` a `from_finalize` result is awaited before a `finalize_timeout` warning (ms). */
  finalizeTimeoutMs?: number;
  /** Socket send buffer above which audio is held back (a `backpressure` warning), in bytes. */
  bufferHighWaterBytes?: number;
  /** Held-back audio above which the oldest frames are dropped (an `audio_dropped` warning), in bytes. */
  bufferCapBytes?: number;
  /** Microphone constraints used by `start({ microphone: true })` (`true` or omitted: all processing on). */
  microphone?: boolean | MicrophoneOptions;
  /**
   * A `capture_stalled` warning when capture delivers no audio for this long while the stream is open (the
   * AudioContext suspended or interrupted, the microphone gone), with a `resume()` of the context; a
   * `capture_resumed` warning when audio comes back. ms, 0 to 60000 (default 2000; 0 turns it off).
   */
  captureStallMs?: number;
  /**
   * When the connection drops (no close frame, a server that stopped answering, an unexpected close code), open a
   * new one and lose nothing: for raw PCM, the audio sent since the server's last final result is sent again
   * first (the dropped connection never finished it), then the audio never sent, then live capture; an
   * unanswered `finalize()` and a pending `closeStream()` are sent again too. The new connection's timestamps
   * start at that last final (`reconnected.timeOffset`). Default `{ attempts: 3, delayMs: 500, replayMs: 30000 }`
   * (attempt n waits n × delayMs); `false` turns it off. A normal close, bad audio (DATA-0000), an idle timeout,
   * a refused first handshake, a drop after the final Metadata, or `close()` end the stream instead.
   */
  reconnect?: boolean | ReconnectOptions;
}

/** How a Transcriber reconnects a dropped connection. */
export interface ReconnectOptions {
  /** Attempts in a row before giving up, 0 to 100 (default 3). */
  attempts?: number;
  /** Wait before the first attempt in ms, 0 to 60000 (default 500); attempt n waits n × delayMs. */
  delayMs?: number;
  /**
   * At most this much audio sent after the last final result is kept to send again after a drop, ms, 0 to
   * 300000 (default 30000; 0: only audio never sent goes again). Past it, a drop raises `replay_truncated`.
   */
  replayMs?: number;
}

/** `new Transcriber(options)`. */
export interface TranscriberOptions extends ConnectionOptions, TranscriberSettings {
  /** Deepgram `/v1/listen` query parameters. */
  options?: ListenOptions;
  /** Where the capture worklet is loaded from; see {@link WorkletSource}. Default `"file"`. */
  worklet?: WorkletSource;
}

/** The Speaker's knobs beside `options` (shared with VoiceSession). */
export interface SpeakerSettings {
  /** Play the audio (default `true`); `false` only emits `audio` events and the app plays the bytes. */
  playback?: boolean;
  /** Output gain, 0 to 10 (default 1). */
  volume?: number;
  /** Audio buffered before playback starts, in ms (0 to 1000, default 60); at most half of `bufferMs`. */
  preRollMs?: number;
  /** Fade-out on `clear()`, in ms (0.5 to 10, default 3). */
  clearFadeMs?: number;
  /** Playback buffer in ms (200 to 60000, default 2000); audio beyond it waits on the main thread. */
  bufferMs?: number;
  /** How long `close()` waits for the server to close, in ms (100 to 120000). */
  closeTimeoutMs?: number;
  /** Connect playback to this node (of the same AudioContext) instead of the speakers. */
  destination?: AudioNode;
}

/** `new Speaker(options)`. */
export interface SpeakerOptions extends ConnectionOptions, SpeakerSettings {
  /** Deepgram `/v1/speak` query parameters. */
  options?: SpeakOptions;
  /** Where the playback worklet is loaded from; see {@link WorkletSource}. Default `"file"`. */
  worklet?: WorkletSource;
  /** Play in the app's context instead of creating one (the Speaker then never closes it). */
  audioContext?: AudioContext;
}

/** `new VoiceSession(options)`: the knobs of both halves, with `listen` and `speak` instead of `options`. */
export interface VoiceSessionOptions extends ConnectionOptions, TranscriberSettings, SpeakerSettings {
  /** Deepgram `/v1/listen` query parameters of the listening half. */
  listen?: ListenOptions;
  /** Deepgram `/v1/speak` query parameters of the speaking half. */
  speak?: SpeakOptions;
  /** Clear playback when the user starts speaking (default `true`); can be changed later with `bargeIn`. */
  bargeIn?: boolean;
  /** Run both halves in the app's context instead of one the session creates (and closes). */
  audioContext?: AudioContext;
  /**
   * `"file"` (default) or `"blob"` for both worklets. A URL is not accepted here in practice: it would be used for
   * both processors; create a Transcriber and a Speaker yourself to serve the files from your own URLs.
   */
  worklet?: "file" | "blob";
}

/** Where a VoiceSession's microphone audio comes from (default: the microphone, echo cancellation on). */
export type VoiceSessionSource =
  | { microphone: true | MicrophoneOptions; stream?: undefined; node?: undefined }
  | { stream: MediaStream; microphone?: undefined | false; node?: undefined }
  | { node: AudioNode; microphone?: undefined | false; stream?: undefined };

// ---------------------------------------------------------------------------------------------------------------
// Errors, warnings, close
// ---------------------------------------------------------------------------------------------------------------

/**
 * The stable `kind` of an error:
 * - `options`: a bad option bag (thrown synchronously by constructors; `start(source)` rejects with it)
 * - `argument`: a method argument of the wrong type or out of range (`speak(123)`, `on("transcrpt", f)`,
 *   `volume = 11`): thrown synchronously, or the rejection of a method that returns a promise
 * - `state`: a method called in a state that does not allow it (`finalize()` before `start()`, any method after
 *   `free()`)
 * - `handshake`: the server refused the WebSocket before it opened (credentials, an option, server down)
 * - `protocol`: a frame the client could not understand
 * - `server`: an `Error` message from the server (the stream goes on)
 * - `network`: the connection failed or dropped
 * - `audio`: microphone, AudioContext or worklet trouble
 * - `unsupported`: this browser cannot run the module (thrown by `init()` / `initSync()`): WebAssembly is turned
 *   off (iOS Lockdown Mode) or has no 128-bit SIMD (Safari < 16.4, Firefox < 89, Chrome < 91)
 */
export type DeepgramLiveErrorKind =
  | "options"
  | "argument"
  | "state"
  | "handshake"
  | "protocol"
  | "server"
  | "network"
  | "audio"
  | "unsupported";

/**
 * What constructors and methods throw, and what rejected promises carry: a real `Error` with a stable `kind`.
 * It is a plain `Error` at run time (there is no exported class to `instanceof`): check `kind`.
 *
 * @example
 * try { new Transcriber({ options: { modle: "nova-3" } as any }); }
 * catch (e) { if ((e as DeepgramLiveError).kind === "options") console.warn(e.message); }
 */
export interface DeepgramLiveError extends Error {
  /** Which kind of failure; see {@link DeepgramLiveErrorKind}. */
  kind: DeepgramLiveErrorKind;
}

/** A server's `{"type":"Error"}` message, unchanged. Field names vary by endpoint and version. */
export interface ServerError {
  /** `"Error"`. */
  type: "Error";
  /** What went wrong (listen, speak). */
  description?: string;
  /** The offending message or extra detail (listen). */
  message?: string;
  /** Error class, e.g. `"SchemaError"` (listen). */
  variant?: string;
  /** Error code (speak). */
  err_code?: string;
  /** Error message (speak). */
  err_msg?: string;
}

/** The `error` event: something failed; a `close` follows when the connection ended. */
export interface ErrorPayload {
  /** Which kind of failure. */
  kind: DeepgramLiveErrorKind;
  /** A sentence saying what happened and what to check. */
  message: string;
  /** For `kind: "server"`: the server's Error message, unchanged. */
  server?: ServerError;
}

/** Warning codes the library raises itself. Server warnings keep the server's own code. */
export type WarningCode =
  /** Listen: the socket's send buffer is over `bufferHighWaterBytes`; audio is held back. */
  | "backpressure"
  /** Listen: the send buffer drained; held audio flows again. */
  | "backpressure_cleared"
  /** Listen: held audio exceeded `bufferCapBytes`; the oldest frames were dropped. */
  | "audio_dropped"
  /** The server did not close in time after CloseStream / Close; the client closed the socket. */
  | "close_timeout"
  /** Listen: no `from_finalize` result came after `finalize()` (the server may have had nothing buffered). */
  | "finalize_timeout"
  /** Listen: a drop left audio sent after the last final unreplayed (more than `reconnect.replayMs`). */
  | "replay_truncated"
  /** Listen: no audio captured for `captureStallMs` (context suspended/interrupted, microphone gone). */
  | "capture_stalled"
  /** Listen: captured audio arrives again after `capture_stalled`. */
  | "capture_resumed"
  /** Speak: more than 20 Flushes in 60 s (raised locally, and by Deepgram's own Warning). */
  | "EXCESSIVE_FLUSH"
  /** Speak: more than 2,400 characters of text in 60 s: Deepgram closes the connection (`DATA-0001`). */
  | "EXCESSIVE_CHARACTERS"
  /** Listen: an option Deepgram ignores as set (`sample_rate`/`channels` without `encoding`). */
  | "option_ignored"
  /** Listen: an option with no effect as set (`utterance_end_ms` below 1000, `dictation` without `punctuate`). */
  | "option_no_effect"
  /** Speak: playback ran out of audio; it resumes after the pre-roll. */
  | "PLAYBACK_UNDERRUN"
  /** Speak: the playback buffer overflowed and dropped samples. */
  | "PLAYBACK_OVERFLOW"
  /** Speak: audio waits but the AudioContext has not run for 1 s (suspended/interrupted); `resume()` is tried. */
  | "PLAYBACK_STALLED"
  /** Speak: the AudioContext runs again after `PLAYBACK_STALLED`. */
  | "PLAYBACK_RESUMED";

/** A speak server's `Warning`, unchanged (two spellings exist in the wild). */
export interface ServerWarning {
  /** `"Warning"`. */
  type: "Warning";
  /** Documented spelling. */
  description?: string;
  /** Documented spelling. */
  code?: string;
  /** Spelling seen on the wire. */
  warn_code?: string;
  /** Spelling seen on the wire. */
  warn_msg?: string;
}

/** The `warning` event: something degraded, the connection goes on. */
export interface WarningPayload {
  /** A {@link WarningCode}, or a server's own code. */
  code: WarningCode | (string & {});
  /** A sentence saying what happened. */
  message: string;
  /** For a server's Warning message: the message, unchanged. */
  server?: ServerWarning;
}

/** The `open` event: the server accepted the WebSocket. */
export interface OpenPayload {
  /** The subprotocol the server selected: `"token"` or `"bearer"` with credentials, `""` without. */
  protocol: string;
}

/** The `close` event: the connection ended (the last event of a connection). */
export interface ClosePayload {
  /** The WebSocket close code (1000 normal, 1006 dropped or refused, 1008 DATA-0000, 1011 NET-0000/NET-0001). */
  code: number;
  /** The server's close reason text (may be empty). */
  reason: string;
  /** `CloseEvent.wasClean`. */
  wasClean: boolean;
  /** One sentence saying what the close means and what to check. */
  explanation: string;
}

// ---------------------------------------------------------------------------------------------------------------
// /v1/listen server messages (Deepgram's objects, unchanged; unknown fields are kept at run time)
// ---------------------------------------------------------------------------------------------------------------

/** One recognized word. */
export interface Word {
  /** The word as recognized (lowercase, unpunctuated). */
  word: string;
  /** Start, in seconds from the start of this connection's audio. */
  start: number;
  /** End, in seconds from the start of this connection's audio. */
  end: number;
  /** 0 to 1. */
  confidence: number;
  /** With `punctuate` / `smart_format`: the word with punctuation and capitalization. */
  punctuated_word?: string;
  /** With `diarize`: the speaker number, from 0. */
  speaker?: number;
  /** With multilingual models: the word's language. */
  language?: string;
}

/** One transcription hypothesis; the first is the best. */
export interface Alternative {
  /** The text of this result (may be empty for silence). */
  transcript: string;
  /** 0 to 1. */
  confidence: number;
  /** The words with timings. */
  words: Word[];
  /** With multilingual models: the languages detected. */
  languages?: string[];
}

/** An entity found with `detect_entities` (final results only). */
export interface Entity {
  /** The category, e.g. `NAME`, `PHONE_NUMBER`, `CARDINAL`. */
  label: string;
  /** The formatted text. */
  value: string;
  /** The spoken text. */
  raw_value: string;
  /** 0 to 1. */
  confidence: number;
  /** Index of the entity's first word (inclusive). */
  start_word: number;
  /** Index after the entity's last word (exclusive). */
  end_word: number;
}

/**
 * The `transcript` event: Deepgram's `Results` message. Interim results (`is_final: false`) restate the whole
 * current segment: replace, don't append. An utterance may be several final segments; the last has
 * `speech_final: true`.
 *
 * @example
 * stt.on("transcript", (r) => {
 *   const text = r.channel.alternatives[0].transcript;
 *   if (r.is_final) finals.push(text); else interim = text;
 * });
 */
export interface Results {
  /** `"Results"`. */
  type: "Results";
  /** `[channel, channels]`. */
  channel_index: number[];
  /** Seconds of audio this result covers. */
  duration: number;
  /** Start in seconds from the start of this connection's audio. */
  start: number;
  /** Final for this segment (no interim will restate it). */
  is_final: boolean;
  /** An endpoint: the speaker paused (see `endpointing`). */
  speech_final: boolean;
  /** This result answers a `finalize()`. */
  from_finalize: boolean;
  /** The hypotheses. */
  channel: { alternatives: Alternative[] };
  /** Which request and model produced it. */
  metadata: {
    request_id: string;
    model_uuid: string;
    model_info: { name: string; version: string; arch: string };
  };
  /** With `detect_entities`, on final results. */
  entities?: Entity[];
}

/**
 * The `metadata` event of a Transcriber, and what `closeStream()` resolves with: Deepgram's summary sent after
 * CloseStream (or before an idle-timeout close).
 */
export interface Metadata {
  /** `"Metadata"`. */
  type: "Metadata";
  /** Deprecated by Deepgram (`"deprecated"`). */
  transaction_key: string;
  /** The request id (quote it to Deepgram support). */
  request_id: string;
  /** Hex SHA-256 of the audio bytes the server received (`"incomplete"` when cut short). */
  sha256: string;
  /** When the request started (ISO 8601). */
  created: string;
  /** Seconds of audio received. */
  duration: number;
  /** Channels of the audio (0 when none was sent). */
  channels: number;
  /** The models used (after an idle timeout). */
  models?: string[];
  /** Model details by model uuid. */
  model_info?: Record<string, { name: string; version: string; arch: string }>;
}

/** The `utteranceEnd` event (needs `utterance_end_ms`): no words for that long. It can arrive late. */
export interface UtteranceEnd {
  /** `"UtteranceEnd"`. */
  type: "UtteranceEnd";
  /** `[channel, channels]` (an array here, unlike `Results.channel`). */
  channel: number[];
  /** End of the last word, in seconds from the start of this connection's audio. */
  last_word_end: number;
}

/** The `speechStarted` event (needs `vad_events: true`): voice activity began. */
export interface SpeechStarted {
  /** `"SpeechStarted"`. */
  type: "SpeechStarted";
  /** `[channel]` or `[channel, channels]`. */
  channel: number[];
  /** Seconds from the start of this connection's audio. */
  timestamp: number;
}

/** The `level` event: the captured signal's level, about every 50 ms while capturing (for meters). */
export interface LevelPayload {
  /** Root mean square, 0 to 1. */
  rms: number;
  /** Peak absolute sample, 0 to 1. */
  peak: number;
  /** `rms` in dBFS (−∞ to 0). */
  rmsDb: number;
  /** `peak` in dBFS (−∞ to 0). */
  peakDb: number;
}

// ---------------------------------------------------------------------------------------------------------------
// /v1/speak server messages and playback events
// ---------------------------------------------------------------------------------------------------------------

/** The `metadata` event of a Speaker: Deepgram's first message on a speak connection. */
export interface SpeakMetadata {
  /** `"Metadata"`. */
  type: "Metadata";
  /** The request id. */
  request_id: string;
  /** The voice, e.g. `"aura-2-thalia-en"`. */
  model_name: string;
  /** The voice's version. */
  model_version: string;
  /** The voice's uuid. */
  model_uuid: string;
  /** Other models involved. */
  additional_model_uuids?: string[];
}

/** The `flushed` event: Deepgram's `Flushed`, sent after the audio of a `flush()`. */
export interface Flushed {
  /** `"Flushed"`. */
  type: "Flushed";
  /** The id `flush()` returned (ids count up per connection). */
  sequence_id: number;
}

/**
 * The `cleared` event: Deepgram's `Cleared` after a `clear()` (or a barge-in), plus what the listener heard.
 */
export interface ClearedPayload {
  /** `"Cleared"`. */
  type: "Cleared";
  /** The server's sequence id. */
  sequence_id: number;
  /** Samples of the interrupted segment actually played (what the user heard). */
  playedSamples: number;
  /** `playedSamples` in ms. */
  playedMs: number;
  /** The playback rate (the AudioContext's). */
  sampleRate: number;
  /** The flush id of the segment that was playing, `null` when nothing was. */
  interruptedSequenceId: number | null;
  /** Audio bytes that arrived after `clear()` and were discarded. */
  discardedBytes: number;
  /** Buffered samples dropped from playback. */
  discardedSamples: number;
  /** The playback generation the clear started. */
  generation: number;
  /**
   * The sequence id `clear()` returned, `null` when none was predicted. It can differ from `sequence_id`: the
   * server does not count a Flush that this Clear overtook.
   */
  predictedSequenceId: number | null;
  /** AudioContext time (seconds, comparable with `audioContext.currentTime`) from which the output is silent. */
  silentAt?: number;
}

/** The `audio` event: one binary frame from the server, in the requested encoding and rate. */
export interface AudioPayload {
  /** The bytes (a copy: keep or transfer it freely). */
  data: Uint8Array;
  /** Playback generation: frames of an older generation belong to speech that was cleared. */
  generation: number;
  /** The encoding of `data`. */
  encoding: SpeakEncoding;
  /** The rate of `data` in Hz. */
  sampleRate: number;
}

/** The `playbackStart` event: the first sample of a segment reached the output. */
export interface PlaybackStartPayload {
  /** The flush id of the segment (`null` for audio not yet tied to a flush). */
  sequenceId: number | null;
  /** Milliseconds from the first audio byte's arrival to its playback, `null` when unknown. */
  latencyMs: number | null;
  /** The AudioContext time (s) of the first sample. */
  contextTime: number;
}

/** The `playbackEnd` event: the last sample of a segment was played. */
export interface PlaybackEndPayload {
  /** The flush id of the segment (what `flush()` returned). */
  sequenceId: number | null;
  /** Samples of the segment played. */
  playedSamples: number;
  /** `playedSamples` in ms. */
  durationMs: number;
  /** The playback rate. */
  sampleRate: number;
  /** The AudioContext time (s) of the last sample. */
  contextTime: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Event maps
// ---------------------------------------------------------------------------------------------------------------

/** A server message this version does not know, passed through unchanged (a parsed object, or the raw text). */
export type UnhandledPayload = { type?: string; [field: string]: unknown } | string;

/** `configure(update)`'s argument: what changes on the open stream (docs/configure). */
export interface ConfigureUpdate {
  /**
   * Replaces the stream's keyterms (also those of the `keyterm` option); `[]` clears them; absent or `null` keeps
   * them. Nova-3 models only; at most 500 tokens in all (more: an `argument` error, since Deepgram would stop
   * transcribing without an answer and close the stream).
   */
  keyterms?: readonly string[] | null;
  /** Features to turn on or off. */
  features?: { numerals?: boolean } | null;
}

/** The server's answer to a `Configure` that took effect, unchanged. */
export interface ConfigureSuccess {
  type: "ConfigureSuccess";
  request_id?: string;
  /** The keyterms now in effect, when the update replaced them. */
  keyterms?: string[];
  [field: string]: unknown;
}

/** The server's answer to a `Configure` it refused, unchanged. */
export interface ConfigureFailure {
  type: "ConfigureFailure";
  request_id?: string;
  [field: string]: unknown;
}

/** Transcriber events: name → payload. */
export interface TranscriberEvents {
  /** The server accepted the connection. */
  open: OpenPayload;
  /** The connection ended. */
  close: ClosePayload;
  /** Something failed. */
  error: ErrorPayload;
  /** A `Results` message. */
  transcript: Results;
  /** The final summary (after `closeStream()`). */
  metadata: Metadata;
  /** No words for `utterance_end_ms`. */
  utteranceEnd: UtteranceEnd;
  /** Voice activity began (`vad_events`). */
  speechStarted: SpeechStarted;
  /** Something degraded. */
  warning: WarningPayload;
  /** A server message this version does not know. */
  unhandled: UnhandledPayload;
  /** Input level, ~every 50 ms while capturing. */
  level: LevelPayload;
  /** A `configure()` took effect: the server's `ConfigureSuccess`. */
  configureSuccess: ConfigureSuccess;
  /** A `configure()` was refused: the server's `ConfigureFailure`. */
  configureFailure: ConfigureFailure;
  /** The connection dropped; a new one opens after `delayMs`. Captured audio keeps being queued meanwhile. */
  reconnecting: TranscriberReconnectingPayload;
  /** The new connection is open. */
  reconnected: TranscriberReconnectedPayload;
}

/** The Transcriber's `reconnecting` event. */
export interface TranscriberReconnectingPayload {
  /** 1 for the first attempt after a drop. */
  attempt: number;
  /** Wait before this attempt, ms. */
  delayMs: number;
  /** The dropped connection's close code and reason, explained. */
  code: number;
  reason: string;
  explanation: string;
}

/** The Transcriber's `reconnected` event. */
export interface TranscriberReconnectedPayload {
  attempt: number;
  /**
   * Deepgram's timestamps restart at 0 on a new connection: seconds of audio sent before it, to add to `start` of
   * the results that follow (`null` for encodings without a fixed byte rate). It is where the dropped
   * connection's last final result ended: the audio after it is sent again first.
   */
  timeOffset: number | null;
  /** Audio sent again first on this connection (after the dropped one's last final), ms (`null`: no fixed byte rate). */
  replayedMs: number | null;
}

/** Speaker events: name → payload. */
export interface SpeakerEvents {
  /** The server accepted the connection. */
  open: OpenPayload;
  /** The connection ended. */
  close: ClosePayload;
  /** Something failed. */
  error: ErrorPayload;
  /** The server's first message. */
  metadata: SpeakMetadata;
  /** A binary audio frame (also when playing; only computed when someone listens). */
  audio: AudioPayload;
  /** The server finished a flush's audio. */
  flushed: Flushed;
  /** A clear completed. */
  cleared: ClearedPayload;
  /** Something degraded. */
  warning: WarningPayload;
  /** A segment started playing. */
  playbackStart: PlaybackStartPayload;
  /** A segment finished playing. */
  playbackEnd: PlaybackEndPayload;
  /** A server message this version does not know. */
  unhandled: UnhandledPayload;
  /** `speak()` after the server closed the connection (e.g. its idle timeout) is opening a new one. */
  reconnecting: ReconnectPayload;
  /** The new connection is open; playback carried on. */
  reconnected: ReconnectPayload;
}

/** The `reconnecting` / `reconnected` events: which reconnect this is (1 for the first). */
export interface ReconnectPayload {
  attempt: number;
}

/** Which half of a VoiceSession an event comes from. */
export type VoiceSessionHalf = "listen" | "speak";

/**
 * VoiceSession events: name → payload (the union of both halves' events; `open`, `close`, `error`, `warning`,
 * `metadata` and `unhandled` come from both).
 */
export type VoiceSessionEvents = {
  [K in keyof TranscriberEvents | keyof SpeakerEvents]:
    | (K extends keyof TranscriberEvents ? TranscriberEvents[K] : never)
    | (K extends keyof SpeakerEvents ? SpeakerEvents[K] : never);
};

/**
 * VoiceSession handler arguments: `[payload, half]`. Checking `half` narrows the payload:
 *
 * @example
 * voice.on("metadata", (m, half) => {
 *   if (half === "listen") console.log(m.duration); else console.log(m.model_name);
 * });
 */
export type VoiceSessionEventArgs = {
  [K in keyof VoiceSessionEvents]:
    | (K extends keyof TranscriberEvents ? [payload: TranscriberEvents[K], half: "listen"] : never)
    | (K extends keyof SpeakerEvents ? [payload: SpeakerEvents[K], half: "speak"] : never);
};

// ---------------------------------------------------------------------------------------------------------------
// Stats
// ---------------------------------------------------------------------------------------------------------------

/** Latency from capture to send, in ms. */
export interface LatencyStats {
  /** The latest frame's. */
  last: number;
  /** Median, at 1 ms resolution. */
  p50: number;
  /** 99th percentile, at 1 ms resolution. */
  p99: number;
  /** The largest. */
  max: number;
  /** Frames measured (those sent while the socket was open). */
  count: number;
}

/** `Transcriber.stats()`. Fields marked optional appear once the stream has started. */
export interface TranscriberStats {
  /** Audio frames captured (microphone, stream or node). */
  capturedFrames: number;
  /** Samples captured, per channel, at the input rate. */
  capturedSamples: number;
  /** Encoded bytes produced from capture. */
  capturedBytes: number;
  /** Frames captured while paused (not sent). */
  pausedFrames: number;
  /** The capture context's sample rate (0 before capture). */
  inputSampleRate: number;
  /** Audio frames sent on the socket. */
  sentFrames?: number;
  /** Audio bytes sent on the socket. */
  sentBytes?: number;
  /** Audio bytes waiting (not yet open, or backpressure). */
  queuedBytes?: number;
  /** Audio bytes dropped over `bufferCapBytes`. */
  droppedBytes?: number;
  /** KeepAlives sent (automatic and by hand). */
  keepAlives?: number;
  /** Audio bytes sent again after drops (each byte also counts once in `sentBytes`). */
  replayedBytes?: number;
  /** Audio bytes a drop left unreplayed (past `reconnect.replayMs`). */
  unreplayedBytes?: number;
  /** The socket's `bufferedAmount` now. */
  bufferedAmount: number;
  /** Capture-to-send latency, when measured. */
  captureToSendMs?: LatencyStats;
}

/** `Speaker.stats()`. Connection fields appear once started, playback fields once playback runs. */
export interface SpeakerStats {
  /** Speak messages sent (long texts are split). */
  speakMessages?: number;
  /** Flushes sent. */
  flushes?: number;
  /** Clears sent. */
  clears?: number;
  /** Binary audio frames received. */
  receivedFrames?: number;
  /** Audio bytes received. */
  receivedBytes?: number;
  /** Audio bytes discarded (arrived after a clear). */
  discardedBytes?: number;
  /** Local EXCESSIVE_FLUSH warnings raised. */
  localFlushWarnings?: number;
  /** `EXCESSIVE_CHARACTERS` warnings raised before sending: over 2,400 characters of text in 60 s. */
  localTextWarnings?: number;
  /** Samples posted to the playback worklet. */
  postedSamples?: number;
  /** Samples played. */
  playedSamples?: number;
  /** Samples buffered in the worklet. */
  bufferedSamples?: number;
  /** Bytes waiting on the main thread for room in the worklet. */
  backlogBytes?: number;
  /** Playback underruns. */
  underruns?: number;
  /** Samples dropped by overflow. */
  overflowSamples?: number;
  /** The playback rate (0 before playback). */
  sampleRate: number;
  /** Milliseconds from the last `clear()` to silence. */
  lastClearMs?: number;
  /** Milliseconds from the last first audio byte to its playback. */
  lastFirstAudioMs?: number;
}

/** `VoiceSession.stats()`. */
export interface VoiceSessionStats {
  /** Times user speech cleared playback. */
  bargeIns: number;
  /** The listening half's stats. */
  listen: TranscriberStats;
  /** The speaking half's stats. */
  speak: SpeakerStats;
}

// ---------------------------------------------------------------------------------------------------------------
// Classes
// ---------------------------------------------------------------------------------------------------------------

/**
 * Live speech-to-text over `/v1/listen`: microphone (or any audio) → AudioWorklet → resampling → WebSocket →
 * `transcript` events.
 *
 * @example
 * const stt = new Transcriber({ auth: { accessToken }, options: { model: "nova-3", interim_results: true } });
 * stt.on("transcript", (r) => console.log(r.channel.alternatives[0].transcript));
 * await stt.start({ microphone: true });
 * const summary = await stt.closeStream();
 */
export class Transcriber {
  /**
   * Validates the options synchronously; throws a {@link DeepgramLiveError} with `kind: "options"` whose message
   * names the bad field (`Transcriber options.options: unknown listen option "modle": did you mean "model"?`).
   */
  constructor(options?: TranscriberOptions);
  /**
   * Subscribes `handler` to `event`; returns the Transcriber for chaining (an unknown event name, or a handler
   * that is not a function, throws an `argument` error). A handler that throws is reported on the console and
   * does not stop the others; a handler may call any method, `close()` and `free()` included.
   */
  on<K extends keyof TranscriberEvents>(event: K, handler: (payload: TranscriberEvents[K]) => void): this;
  /** Unsubscribes `handler`, or every handler of `event` when omitted. */
  off<K extends keyof TranscriberEvents>(event: K, handler?: (payload: TranscriberEvents[K]) => void): void;
  /**
   * Opens the stream and, with a source, starts capture. Resolves once the server accepted the connection and
   * capture runs; rejects with a {@link DeepgramLiveError} (`handshake`, `audio`, `options`, `state`).
   * `start()` alone captures nothing: send audio with {@link Transcriber.sendAudio}. A Transcriber starts once.
   * Call it from a user gesture on real pages (microphone permission, audio autoplay rules).
   */
  start(source?: StartSource): Promise<void>;
  /**
   * Sends audio bytes in the declared encoding (copied: the buffer is yours again at once); queued until the
   * socket opens, never lost. Empty input is ignored; anything else, or a detached (transferred) buffer, throws an
   * `argument` error.
   */
  sendAudio(data: ArrayBuffer | ArrayBufferView): void;
  /** Stops sending captured audio; automatic KeepAlives keep the stream open. */
  pause(): void;
  /** Sends captured audio again after `pause()`. */
  resume(): void;
  /** Sends a KeepAlive now (automatic ones go out after `keepAliveMs` without audio). */
  keepAlive(): void;
  /** Asks the server to finalize buffered audio now; a result with `from_finalize: true` follows. */
  finalize(): void;
  /**
   * Sends `Configure`: new keyterms and features for the open stream, without reconnecting. Resolves with the
   * server's {@link ConfigureSuccess}; rejects (`server`) with its `ConfigureFailure`, or (`network`) when the
   * connection ends first (after a reconnect the stream has its start options: call it again). Throws
   * (`argument`) for a bad update, (`state`) before `start()` or after `close()`.
   */
  configure(update: ConfigureUpdate): Promise<ConfigureSuccess>;
  /**
   * Ends the stream gracefully: stops capture, sends CloseStream, and resolves with the server's final
   * {@link Metadata} once it closes (rejects with a `network` error if the stream ends without one).
   */
  closeStream(): Promise<Metadata>;
  /** Closes at once (no final results) and releases the microphone and the audio graph. */
  close(): void;
  /** The connection's state. */
  readonly state: ConnectionState;
  /** Counters: capture, sending, KeepAlives, buffering. */
  stats(): TranscriberStats;
  /**
   * Releases the Transcriber now: closes it as `close()` does and drops its listeners. Every later call but the
   * getters and `stats()` throws a `state` error; a second `free()` does nothing. Also `[Symbol.dispose]`.
   */
  free(): void;
}

/**
 * Live text-to-speech over `/v1/speak`, played through an AudioWorklet with instant `clear()` (barge-in).
 *
 * @example
 * const tts = new Speaker({ auth: { accessToken }, options: { model: "aura-2-thalia-en" } });
 * button.onclick = async () => {
 *   await tts.start();             // in a user gesture: browsers keep audio suspended until one
 *   tts.speak("Hello there.");
 *   const id = tts.flush();
 *   tts.on("playbackEnd", (e) => { if (e.sequenceId === id) console.log("done"); });
 * };
 */
export class Speaker {
  /** Validates the options synchronously; throws a {@link DeepgramLiveError} with `kind: "options"`. */
  constructor(options?: SpeakerOptions);
  /** Subscribes `handler` to `event`; returns the Speaker for chaining (a bad name or handler: `argument`). */
  on<K extends keyof SpeakerEvents>(event: K, handler: (payload: SpeakerEvents[K]) => void): this;
  /** Unsubscribes `handler`, or every handler of `event` when omitted. */
  off<K extends keyof SpeakerEvents>(event: K, handler?: (payload: SpeakerEvents[K]) => void): void;
  /**
   * Opens the connection and the audio output; resolves once both run. Optional (`speak()` starts lazily), but
   * call it from a click or key handler when the page has had no user gesture yet.
   */
  start(): Promise<void>;
  /**
   * Queues text to synthesize (long text is split at sentence ends, order kept). Starts the connection if needed,
   * and opens a new one if the server closed the last (e.g. its idle timeout); playback carries on. Anything but a
   * string (a chunk object of an LLM stream, say) throws an `argument` error. A chunk that ends inside a
   * surrogate pair (half an emoji) is joined with the next; a half never completed is dropped at `flush()` with
   * an `INCOMPLETE_CHARACTER` warning; other lone surrogates are sent as U+FFFD.
   */
  speak(text: string): void;
  /**
   * Asks the server to synthesize everything queued; returns the `sequence_id` its `flushed` event and the
   * segment's `playbackEnd` will carry. Flush once per response (Deepgram allows 20 per minute).
   */
  flush(): number;
  /**
   * Barge-in: silences playback within one render quantum plus a short fade, discards audio in flight and tells
   * the server to drop its buffers. Returns the sequence id of the `cleared` event.
   */
  clear(): number;
  /** Sends Close and stops playback; resolves once the server closed and audio is torn down. */
  close(): Promise<void>;
  /** Output gain, 0 to 10 (1 = as received); applies at once; anything but a number from 0 to 10 throws `argument`. */
  volume: number;
  /**
   * Plays through the output device `sinkId` (from `enumerateDevices()`; `""` for the default) where
   * `AudioContext.setSinkId` exists (Chrome, Edge); rejects with an `audio` error elsewhere or when the browser
   * refuses the device, a `state` error before `start()`, an `argument` error for anything but a string.
   */
  setSinkId(sinkId: string): Promise<void>;
  /** The AudioContext playback runs in (after `start()` or the first `speak()`). */
  readonly audioContext: AudioContext | undefined;
  /** The connection's state. */
  readonly state: ConnectionState;
  /** Whether audio of the current generation is queued or playing. */
  readonly playing: boolean;
  /** Counters: messages, audio received and discarded, playback. */
  stats(): SpeakerStats;
  /**
   * Releases the Speaker now: closes it as `close()` does (without waiting) and drops its listeners. Every later
   * call but the getters and `stats()` throws a `state` error; a second `free()` does nothing. Also
   * `[Symbol.dispose]`.
   */
  free(): void;
}

/**
 * A Transcriber and a Speaker on one AudioContext, for voice agents: the user speaking clears playback
 * (barge-in) unless `bargeIn` is off.
 *
 * @example
 * const voice = new VoiceSession({ auth: { accessToken }, listen: { model: "nova-3" }, speak: { model: "aura-2-thalia-en" } });
 * voice.on("transcript", (r) => { if (r.speech_final) reply(r.channel.alternatives[0].transcript); });
 * await voice.start();
 */
export class VoiceSession {
  /** Validates the options synchronously; throws a {@link DeepgramLiveError} with `kind: "options"`. */
  constructor(options?: VoiceSessionOptions);
  /**
   * Subscribes `handler(payload, half)` to `event`; `half` says which connection the event comes from, and
   * checking it narrows the payload. Returns the session for chaining.
   */
  on<K extends keyof VoiceSessionEvents>(event: K, handler: (...args: VoiceSessionEventArgs[K]) => void): this;
  /** Unsubscribes `handler`, or every handler of `event` when omitted. */
  off<K extends keyof VoiceSessionEvents>(event: K, handler?: (...args: VoiceSessionEventArgs[K]) => void): void;
  /**
   * Opens both connections on one AudioContext and starts capture (default: the microphone with echo
   * cancellation). Resolves when both are open and audio runs. Call it from a user gesture.
   */
  start(source?: VoiceSessionSource): Promise<void>;
  /** Queues text for the Speaker. */
  speak(text: string): void;
  /** Flushes the Speaker; returns the sequence id of its `flushed` and `playbackEnd`. */
  flush(): number;
  /** Clears playback (barge-in by hand); returns the sequence id of the `cleared` event. */
  clear(): number;
  /** Asks the listening half to finalize buffered audio. */
  finalize(): void;
  /** Sends `Configure` on the listening stream; see {@link Transcriber.configure}. */
  configure(update: ConfigureUpdate): Promise<ConfigureSuccess>;
  /** Ends the listening stream gracefully; resolves with its final {@link Metadata}. Playback goes on. */
  closeStream(): Promise<Metadata>;
  /** Sends a KeepAlive on the listening stream. */
  keepAlive(): void;
  /** Sends your own audio on the listening stream. */
  sendAudio(data: ArrayBuffer | ArrayBufferView): void;
  /** Closes both connections, the microphone and playback, and the AudioContext unless the app supplied it. */
  close(): Promise<void>;
  /** Whether user speech clears playback (default `true`); can be changed at any time (a non-boolean: `argument`). */
  bargeIn: boolean;
  /** The session's AudioContext (after `start()`). */
  readonly audioContext: AudioContext | undefined;
  /** The listening half (state, stats). */
  readonly transcriber: Transcriber;
  /** The speaking half (state, stats, volume, output device). */
  readonly speaker: Speaker;
  /** `{ bargeIns, listen, speak }`. */
  stats(): VoiceSessionStats;
  /**
   * Releases the session now: both halves are freed (closed without waiting), the AudioContext is closed unless
   * the app supplied it, the listeners dropped. Every later call but the getters and `stats()` throws a `state`
   * error. Also `[Symbol.dispose]`.
   */
  free(): void;
}
