//! `Transcriber`: microphone (or app audio) → live speech-to-text over `/v1/listen`.

use std::cell::RefCell;
use std::fmt::Display;
use std::rc::Rc;

use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use web_sys::{AudioContext, AudioNode, MediaStream};

use super::connection::{self, HasSession, Link};
use super::errors::{error_payload, js_error, state_error, ErrorKind};
use super::events::{dispatch, subscribe, unsubscribe, EventHub};
use super::js_options::{endpoint_and_auth, parse_json, JsOptions};
use super::payload::{self, bytes_of};
use crate::audio::{CaptureEncoder, LatencyHistogram, LevelMeter, SampleFormat};
use crate::protocol::{
    Auth, CloseInfo, CloseKind, Endpoint, ListenConfig, ListenEncoding, ListenEvent, ListenOptions,
    ListenSession, SessionState,
};
use crate::web::capture::{Capture, CaptureSource, CapturedFrame, MicrophoneConstraints};
use crate::web::clock::now_ms;
use crate::web::socket::SocketEvent;
use crate::web::timer::Timer;
use crate::web::worklet::WorkletSource;
use crate::web::{audio_context, defer_drop};

/// The events a `Transcriber` emits.
pub const TRANSCRIBER_EVENTS: &[&str] = &[
    "open",
    "close",
    "error",
    "transcript",
    "metadata",
    "utteranceEnd",
    "speechStarted",
    "warning",
    "unhandled",
    "level",
    "reconnecting",
    "reconnected",
];

const CLASS: &str = "Transcriber";
/// Capture defaults when the app did not choose an encoding: what Deepgram's models are trained on.
const DEFAULT_CAPTURE_RATE: u32 = 16_000;
/// `level` events at most this often.
const LEVEL_INTERVAL_MS: u64 = 50;

/// Live speech-to-text: `new Transcriber({baseUrl, auth, options})`, `on('transcript', fn)`, `start()`.
#[wasm_bindgen]
pub struct Transcriber {
    shared: Rc<Shared>,
}

struct Shared {
    inner: RefCell<Inner>,
    events: RefCell<EventHub>,
}

struct Config {
    endpoint: Endpoint,
    auth: Auth,
    options: ListenOptions,
    listen: ListenConfig,
    frame_ms: u32,
    worklet: WorkletSource,
    microphone: MicrophoneConstraints,
    reconnect: ReconnectPolicy,
}

/// When a connection drops, how often to open a new one (captured audio keeps flowing into the new one).
#[derive(Clone, Copy)]
struct ReconnectPolicy {
    /// Attempts in a row before giving up (0 = never reconnect).
    attempts: u32,
    /// Wait before the first attempt; attempt `n` waits `n` times this.
    delay_ms: u64,
}

/// Counters of the connections before the current one (a reconnect starts the session's counters afresh).
#[derive(Default, Clone, Copy)]
struct PriorConnections {
    sent_frames: u64,
    sent_bytes: u64,
    dropped_bytes: u64,
    keep_alives: u64,
}

#[derive(Default)]
struct CaptureStats {
    frames: u64,
    samples: u64,
    bytes: u64,
    paused_frames: u64,
    /// Worklet post → `WebSocket.send()` of each frame's audio, ms.
    to_send: LatencyHistogram,
}

struct Inner {
    config: Config,
    session: Option<ListenSession>,
    link: Link,
    capture: Option<Capture>,
    context: Option<AudioContext>,
    /// Whether we created the context (an app-supplied one is never closed by us).
    own_context: bool,
    encoder: Option<CaptureEncoder>,
    scratch: Vec<f32>,
    encoded: Vec<u8>,
    meter: LevelMeter,
    last_level_ms: u64,
    paused: bool,
    close_waiters: Vec<(Function, Function)>,
    last_metadata: Option<String>,
    capture_stats: CaptureStats,
    sample_rate_in: u32,
    /// Output format, rate and channels of the capture chain (set when capture is requested).
    encoder_spec: Option<(SampleFormat, u32, u32)>,
    /// Reconnect attempts since the last successful open.
    reconnect_attempt: u32,
    /// Fires the next reconnect attempt.
    reconnect_timer: Option<Timer>,
    prior: PriorConnections,
}

#[wasm_bindgen]
impl Transcriber {
    /// Validates the options synchronously; throws an `Error` (with `kind: "options"`) naming the bad field.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Transcriber, JsValue> {
        let mut o = JsOptions::new(&options, CLASS);
        o.only(TRANSCRIBER_KEYS);
        let config = parse_config(&mut o, "options");
        o.finish().map_err(|m| js_error(ErrorKind::Options, &m))?;
        Ok(Transcriber::from_config(config))
    }
}

impl Transcriber {
    /// A Transcriber for `VoiceSession`: its options bag `o` (keys already checked), listen options under
    /// `options_key`. Errors are recorded in `o`: only use the Transcriber once `o` finished without one.
    pub(crate) fn for_session(o: &mut JsOptions<'_>, options_key: &str) -> Transcriber {
        Transcriber::from_config(parse_config(o, options_key))
    }

    /// Another handle on the same Transcriber.
    pub(crate) fn handle(&self) -> Transcriber {
        Transcriber {
            shared: self.shared.clone(),
        }
    }

    /// The event hub, for `VoiceSession` (forwarding and barge-in).
    pub(crate) fn events(&self) -> &RefCell<EventHub> {
        &self.shared.events
    }

    fn from_config(config: Config) -> Transcriber {
        let inner = Inner {
            config,
            session: None,
            link: Link::default(),
            capture: None,
            context: None,
            own_context: false,
            encoder: None,
            scratch: Vec::new(),
            encoded: Vec::new(),
            meter: LevelMeter::new(),
            last_level_ms: 0,
            paused: false,
            close_waiters: Vec::new(),
            last_metadata: None,
            capture_stats: CaptureStats::default(),
            sample_rate_in: 0,
            encoder_spec: None,
            reconnect_attempt: 0,
            reconnect_timer: None,
            prior: PriorConnections::default(),
        };
        Transcriber {
            shared: Rc::new(Shared {
                inner: RefCell::new(inner),
                events: RefCell::new(EventHub::new(TRANSCRIBER_EVENTS)),
            }),
        }
    }
}

#[wasm_bindgen]
impl Transcriber {
    /// Subscribes `handler` to `event` (see the README for the list); returns `this` for chaining.
    pub fn on(&self, event: &str, handler: Function) -> Result<Transcriber, JsValue> {
        subscribe(&self.shared.events, event, handler)?;
        Ok(Transcriber {
            shared: self.shared.clone(),
        })
    }

    /// Unsubscribes `handler` (or every handler of `event` when omitted).
    pub fn off(&self, event: &str, handler: Option<Function>) -> Result<(), JsValue> {
        unsubscribe(&self.shared.events, event, handler)
    }

    /// Opens the stream. `start({microphone: true | {deviceId, echoCancellation, ...}})`, `start({stream})`,
    /// `start({node})`, or `start()` alone to send audio yourself with `sendAudio`. Resolves once the server
    /// accepted the connection and capture runs.
    pub fn start(&self, source: JsValue) -> Promise {
        let shared = self.shared.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let source =
                parse_source(&shared, &source).map_err(|m| js_error(ErrorKind::Options, &m))?;
            open_session(&shared, source.is_some())?;
            let opened = wait_open(&shared);
            if let Some(source) = source {
                if let Err(m) = start_capture(&shared, source).await {
                    close_with_error(&shared, ErrorKind::Audio, &m);
                    return Err(js_error(ErrorKind::Audio, &m));
                }
            }
            wasm_bindgen_futures::JsFuture::from(opened).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Sends audio bytes (ArrayBuffer or a typed array) in the declared encoding. Queued until the socket opens.
    #[wasm_bindgen(js_name = sendAudio)]
    pub fn send_audio(&self, data: JsValue) -> Result<(), JsValue> {
        let bytes = bytes_of(&data).ok_or_else(|| {
            js_error(
                ErrorKind::Options,
                "sendAudio(data): expected an ArrayBuffer or a typed array (e.g. Int16Array, Uint8Array)",
            )
        })?;
        if bytes.is_empty() {
            // An empty binary frame would end the stream on older servers: never send one.
            return Ok(());
        }
        self.with_session(Call::Audio(bytes))
    }

    /// Stops sending captured audio; KeepAlive messages keep the stream open.
    pub fn pause(&self) {
        self.shared.inner.borrow_mut().paused = true;
    }

    /// Sends captured audio again after `pause()`.
    pub fn resume(&self) {
        self.shared.inner.borrow_mut().paused = false;
    }

    /// Sends a KeepAlive now (automatic ones go out after `keepAliveMs` without audio).
    #[wasm_bindgen(js_name = keepAlive)]
    pub fn keep_alive(&self) -> Result<(), JsValue> {
        self.with_session(Call::KeepAlive)
    }

    /// Asks the server to finalize what it has buffered (a result with `from_finalize: true` follows).
    pub fn finalize(&self) -> Result<(), JsValue> {
        self.with_session(Call::Finalize)
    }

    /// Ends the stream gracefully: stops capture, sends CloseStream, and resolves with the server's final
    /// `Metadata` once the server closes (rejects if the stream ends without one).
    #[wasm_bindgen(js_name = closeStream)]
    pub fn close_stream(&self) -> Promise {
        let shared = self.shared.clone();
        let mut waiter = None;
        let promise = Promise::new(&mut |resolve, reject| waiter = Some((resolve, reject)));
        let result = {
            let mut inner = shared.inner.borrow_mut();
            stop_capture(&mut inner);
            let now = now_ms();
            let res = match inner.session.as_mut() {
                Some(s) => s.close_stream(now).map_err(|e| e.to_string()),
                None => {
                    Err("closeStream(): the stream was never started: call start() first".into())
                }
            };
            if res.is_ok() {
                if let Some(w) = waiter.take() {
                    inner.close_waiters.push(w);
                }
            }
            res
        };
        pump(&shared);
        if let (Err(m), Some((_, reject))) = (result, waiter) {
            let _ = reject.call1(&JsValue::UNDEFINED, &js_error(ErrorKind::State, &m));
        }
        promise
    }

    /// Closes at once (no final results): the socket, the microphone and the audio graph.
    pub fn close(&self) {
        {
            let mut inner = self.shared.inner.borrow_mut();
            stop_capture(&mut inner);
            let now = now_ms();
            if let Some(s) = inner.session.as_mut() {
                s.close(now);
            }
        }
        pump(&self.shared);
    }

    /// `"idle"` (not started), `"connecting"`, `"open"`, `"closing"` or `"closed"`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        connection::state_name(
            self.shared
                .inner
                .borrow()
                .session
                .as_ref()
                .map(ListenSession::state),
        )
        .into()
    }

    /// Counters: frames and bytes captured and sent, KeepAlives, the socket's bufferedAmount, bytes dropped.
    pub fn stats(&self) -> JsValue {
        let inner = self.shared.inner.borrow();
        let o = Object::new();
        let set = |k: &str, v: f64| payload::set(&o, k, v);
        set("capturedFrames", inner.capture_stats.frames as f64);
        set("capturedSamples", inner.capture_stats.samples as f64);
        set("capturedBytes", inner.capture_stats.bytes as f64);
        set("pausedFrames", inner.capture_stats.paused_frames as f64);
        set("inputSampleRate", f64::from(inner.sample_rate_in));
        if let Some(s) = inner.session.as_ref() {
            let st = s.stats();
            let p = inner.prior;
            set("sentFrames", (p.sent_frames + st.audio_frames_sent) as f64);
            set("sentBytes", (p.sent_bytes + st.audio_bytes_sent) as f64);
            set("queuedBytes", st.audio_bytes_queued as f64);
            set(
                "droppedBytes",
                (p.dropped_bytes + st.audio_bytes_dropped) as f64,
            );
            set("keepAlives", (p.keep_alives + st.keep_alives_sent) as f64);
        }
        let h = &inner.capture_stats.to_send;
        if h.count() > 0 {
            let l = Object::new();
            let put = |k: &str, v: Option<f64>| {
                payload::set(&l, k, v.map_or(JsValue::NULL, JsValue::from))
            };
            put("last", h.last());
            put("p50", h.percentile(50.0));
            put("p99", h.percentile(99.0));
            put("max", h.max());
            put("count", Some(h.count() as f64));
            payload::set(&o, "captureToSendMs", l);
        }
        set(
            "bufferedAmount",
            inner
                .link
                .socket
                .as_ref()
                .map_or(0.0, |s| s.buffered_amount() as f64),
        );
        o.into()
    }
}

/// A call of the app on the session, for [`Transcriber::with_session`].
enum Call {
    Audio(Vec<u8>),
    KeepAlive,
    Finalize,
}

impl Transcriber {
    /// Makes `call` on the session, then pumps; an enum rather than a closure so there is one copy of this.
    fn with_session(&self, call: Call) -> Result<(), JsValue> {
        let result = {
            let mut inner = self.shared.inner.borrow_mut();
            match inner.session.as_mut() {
                Some(s) => {
                    let now = now_ms();
                    match call {
                        Call::Audio(bytes) => s.send_audio(bytes, now),
                        Call::KeepAlive => s.keep_alive(now),
                        Call::Finalize => s.finalize(None, now),
                    }
                    .map_err(Some)
                }
                None => Err(None),
            }
        };
        pump(&self.shared);
        result.map_err(|e| state_error(CLASS, e.as_ref().map(|e| e as &dyn Display)))
    }
}

/// The keys of the Transcriber's options bag.
pub(crate) const TRANSCRIBER_KEYS: &[&str] = &[
    "baseUrl",
    "auth",
    "options",
    "keepAliveMs",
    "frameMs",
    "closeTimeoutMs",
    "finalizeTimeoutMs",
    "bufferHighWaterBytes",
    "bufferCapBytes",
    "worklet",
    "microphone",
    "reconnect",
];

/// Reads the options (keys already checked); the listen query options are under `options_key`. Errors are
/// recorded in `o` (the config is then incomplete and must not be used).
fn parse_config(o: &mut JsOptions<'_>, options_key: &str) -> Config {
    let (endpoint, auth) = endpoint_and_auth(o);
    let options = match o.json(options_key) {
        Some(v) => o.check(options_key, ListenOptions::from_json(&v)),
        None => ListenOptions::default(),
    };
    let mut listen = ListenConfig::default();
    if let Some(v) = o.int("keepAliveMs", 0, 9_000) {
        listen.keep_alive_ms = v;
    }
    if let Some(v) = o.int("closeTimeoutMs", 100, 120_000) {
        listen.close_timeout_ms = v;
    }
    if let Some(v) = o.int("finalizeTimeoutMs", 100, 120_000) {
        listen.finalize_timeout_ms = v;
    }
    if let Some(v) = o.int("bufferHighWaterBytes", 1024, 1 << 30) {
        listen.buffer_high_water_bytes = v as usize;
    }
    if let Some(v) = o.int("bufferCapBytes", 1024, 1 << 30) {
        listen.buffer_cap_bytes = v as usize;
    }
    let frame_ms = o.int("frameMs", 10, 100).unwrap_or(20) as u32;
    let worklet = o.worklet("capture-processor.js");
    let microphone = o.get("microphone");
    let microphone = parse_microphone(o, &microphone);
    let reconnect = parse_reconnect(o);
    Config {
        endpoint,
        auth,
        options,
        listen,
        frame_ms,
        worklet,
        microphone,
        reconnect,
    }
}

/// `reconnect: false | {attempts, delayMs}` (default 3 attempts, 500 ms apart and growing).
fn parse_reconnect(o: &mut JsOptions<'_>) -> ReconnectPolicy {
    let mut policy = ReconnectPolicy {
        attempts: 3,
        delay_ms: 500,
    };
    let v = o.get("reconnect");
    if v.is_undefined() || v.is_null() || v == JsValue::TRUE {
        return policy;
    }
    if v == JsValue::FALSE {
        policy.attempts = 0;
        return policy;
    }
    let mut r = JsOptions::new(&v, &o.path("reconnect"));
    r.only(&["attempts", "delayMs"]);
    if let Some(n) = r.int("attempts", 0, 100) {
        policy.attempts = n as u32;
    }
    if let Some(ms) = r.int("delayMs", 0, 60_000) {
        policy.delay_ms = ms;
    }
    o.merge(r);
    policy
}

/// `v`, the `microphone` field of `o`: `true`/`false` or the `getUserMedia` constraints (errors recorded in `o`).
fn parse_microphone(o: &mut JsOptions<'_>, v: &JsValue) -> MicrophoneConstraints {
    let mut c = MicrophoneConstraints::default();
    if v.as_bool().is_some() || v.is_undefined() || v.is_null() {
        return c;
    }
    let mut m = JsOptions::new(v, &o.path("microphone"));
    m.only(&[
        "deviceId",
        "echoCancellation",
        "noiseSuppression",
        "autoGainControl",
    ]);
    if let Some(b) = m.bool("echoCancellation") {
        c.echo_cancellation = b;
    }
    if let Some(b) = m.bool("noiseSuppression") {
        c.noise_suppression = b;
    }
    if let Some(b) = m.bool("autoGainControl") {
        c.auto_gain_control = b;
    }
    c.device_id = m.string("deviceId");
    o.merge(m);
    c
}

fn parse_source(shared: &Rc<Shared>, v: &JsValue) -> Result<Option<CaptureSource>, String> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    let mut o = JsOptions::new(v, "start(source)");
    o.only(&["microphone", "stream", "node", "audioContext"]);
    o.finish()?;
    let mic = o.get("microphone");
    let stream = o.get("stream");
    let node = o.get("node");
    let given = [
        !mic.is_undefined() && mic != JsValue::FALSE,
        !stream.is_undefined(),
        !node.is_undefined(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if given > 1 {
        return Err("start(source): give one of microphone, stream or node".into());
    }
    let ctx = o.get("audioContext");
    if !ctx.is_undefined() {
        let ctx: AudioContext = ctx
            .dyn_into()
            .map_err(|_| "start(source).audioContext: expected an AudioContext".to_string())?;
        shared.inner.borrow_mut().context = Some(ctx);
    }
    if !stream.is_undefined() {
        let s: MediaStream = stream
            .dyn_into()
            .map_err(|_| "start(source).stream: expected a MediaStream".to_string())?;
        return Ok(Some(CaptureSource::Stream(s)));
    }
    if !node.is_undefined() {
        let n: AudioNode = node
            .dyn_into()
            .map_err(|_| "start(source).node: expected an AudioNode".to_string())?;
        return Ok(Some(CaptureSource::Node(n)));
    }
    if mic.is_undefined() || mic == JsValue::FALSE {
        return Ok(None);
    }
    let mut constraints = shared.inner.borrow().config.microphone.clone();
    if mic.is_object() {
        constraints = parse_microphone(&mut o, &mic);
        o.finish()?;
    }
    Ok(Some(CaptureSource::Microphone(constraints)))
}

/// Creates the protocol session and the socket. With capture, raw PCM defaults are filled in (linear16, 16 kHz,
/// mono) unless the app chose an encoding.
fn open_session(shared: &Rc<Shared>, capture: bool) -> Result<(), JsValue> {
    let weak = Rc::downgrade(shared);
    let mut inner = shared.inner.borrow_mut();
    if inner.session.is_some() {
        return Err(js_error(
            ErrorKind::State,
            "start(): already started: create a new Transcriber for a new stream",
        ));
    }
    let mut options = inner.config.options.clone();
    if capture {
        if options.encoding.is_none() {
            options.encoding = Some(ListenEncoding::Linear16);
            options.sample_rate = Some(DEFAULT_CAPTURE_RATE);
        }
        let format = match options.encoding {
            Some(ListenEncoding::Linear16) => SampleFormat::Linear16,
            Some(ListenEncoding::Linear32) => SampleFormat::Linear32,
            Some(ListenEncoding::Mulaw) => SampleFormat::Mulaw,
            Some(ListenEncoding::Alaw) => SampleFormat::Alaw,
            Some(other) => {
                return Err(js_error(
                    ErrorKind::Options,
                    &format!("{CLASS} options.encoding: \"{}\" cannot be produced from a microphone: use linear16 (default), linear32, mulaw or alaw", other.as_str()),
                ))
            }
            None => SampleFormat::Linear16,
        };
        let rate = options.sample_rate.unwrap_or(DEFAULT_CAPTURE_RATE);
        let channels = options.channels.unwrap_or(1);
        inner.config.options = options.clone();
        inner.encoder_spec = Some((format, rate, channels));
    }
    let url = options.to_url(&inner.config.endpoint);
    let protocols = inner.config.auth.subprotocols();
    inner
        .link
        .connect(CLASS, &url, &protocols, weak, on_socket_event, on_timer)?;
    inner.session = Some(ListenSession::new(inner.config.listen.clone()));
    Ok(())
}

/// A promise settled by the first `open` (resolve) or a close before it (reject).
fn wait_open(shared: &Rc<Shared>) -> Promise {
    shared.inner.borrow_mut().link.wait_open()
}

async fn start_capture(shared: &Rc<Shared>, source: CaptureSource) -> Result<(), String> {
    let (ctx, frame_ms, channels, worklet) = {
        let mut inner = shared.inner.borrow_mut();
        let ctx = match inner.context.clone() {
            Some(c) => c,
            None => {
                let c = audio_context::create()?;
                inner.context = Some(c.clone());
                inner.own_context = true;
                c
            }
        };
        let channels = inner.encoder_spec.map_or(1, |(_, _, c)| c);
        (
            ctx,
            inner.config.frame_ms,
            channels,
            inner.config.worklet.clone(),
        )
    };
    audio_context::resume(&ctx).await?;
    let weak = Rc::downgrade(shared);
    let on_frame: Rc<dyn Fn(CapturedFrame<'_>)> = Rc::new(move |frame| {
        if let Some(shared) = weak.upgrade() {
            on_captured(&shared, frame);
        }
    });
    let capture = Capture::start(&ctx, source, frame_ms, channels, &worklet, on_frame).await?;
    let mut inner = shared.inner.borrow_mut();
    if inner
        .session
        .as_ref()
        .is_none_or(|s| s.state() == SessionState::Closed)
    {
        // Closed while the microphone was opening: release it at once.
        defer_drop(capture);
        return Ok(());
    }
    let (format, rate, channels) =
        inner
            .encoder_spec
            .unwrap_or((SampleFormat::Linear16, DEFAULT_CAPTURE_RATE, 1));
    let encoder = CaptureEncoder::new(capture.sample_rate, rate, channels as usize, format)
        .map_err(|e| e.to_string())?;
    inner.sample_rate_in = capture.sample_rate;
    // VU-like: rises in 10 ms, falls over 300 ms, so a meter does not flicker to silence between words.
    inner.meter = LevelMeter::with_smoothing(capture.sample_rate, 0.01, 0.3)
        .unwrap_or_else(|_| LevelMeter::new());
    inner.encoder = Some(encoder);
    inner.capture = Some(capture);
    Ok(())
}

/// One 20 ms frame from the worklet: resample + encode in Rust, queue on the session, pump.
fn on_captured(shared: &Rc<Shared>, frame: CapturedFrame<'_>) {
    let mut sent = false;
    let level = {
        let Ok(mut guard) = shared.inner.try_borrow_mut() else {
            return;
        };
        let inner = &mut *guard;
        let (Some(capture), Some(encoder)) = (inner.capture.as_ref(), inner.encoder.as_mut())
        else {
            return;
        };
        let frame_samples = capture.frame_samples as usize;
        let len = frame.samples.length() as usize;
        inner.scratch.resize(len, 0.0);
        frame.samples.copy_to(&mut inner.scratch);
        inner.capture_stats.frames += 1;
        inner.capture_stats.samples += frame_samples as u64;
        let planar: Vec<&[f32]> = inner.scratch.chunks_exact(frame_samples.max(1)).collect();
        inner.encoded.clear();
        encoder.push_planar(&planar, &mut inner.encoded);
        inner.capture_stats.bytes += inner.encoded.len() as u64;
        let now = now_ms();
        // Every frame goes through the meter (its ballistics need them all); a reading goes out every 50 ms.
        let reading = planar.first().map(|ch| inner.meter.measure(ch));
        let level = if now.saturating_sub(inner.last_level_ms) >= LEVEL_INTERVAL_MS {
            inner.last_level_ms = now;
            reading
        } else {
            None
        };
        if inner.paused {
            inner.capture_stats.paused_frames += 1;
        } else if !inner.encoded.is_empty() {
            let bytes = std::mem::take(&mut inner.encoded);
            if let Some(s) = inner.session.as_mut() {
                // Sent on the socket by the pump below once open (queued before: that wait is not
                // capture latency, so only frames sent right away are timed).
                sent = s.send_audio(bytes, now).is_ok() && s.state() == SessionState::Open;
            }
        }
        level
    };
    if let Some(level) = level {
        let mut events = shared.events.borrow_mut();
        if events.has("level") {
            let o = Object::new();
            payload::set(&o, "rms", level.rms);
            payload::set(&o, "peak", level.peak);
            payload::set(&o, "rmsDb", level.rms_db);
            payload::set(&o, "peakDb", level.peak_db);
            events.push("level", o.into());
        }
    }
    pump(shared);
    if sent && frame.posted_ms.is_finite() {
        if let Ok(mut inner) = shared.inner.try_borrow_mut() {
            let sent_now = js_sys::Date::now();
            inner
                .capture_stats
                .to_send
                .record(sent_now - frame.posted_ms);
        }
    }
}

fn on_socket_event(shared: &Rc<Shared>, ev: SocketEvent) {
    connection::on_socket_event(&shared.inner, ev);
    pump(shared);
}

fn on_timer(shared: &Rc<Shared>) {
    connection::on_timer(&shared.inner);
    pump(shared);
}

/// How long to wait before reconnecting after `info`, or `None` to give up: only connections that dropped
/// (no close frame, a server that stopped answering, an unexpected code) are retried, and a refused handshake only
/// while already reconnecting (a server restarting); a normal close, bad audio or credentials end the stream.
fn reconnect_delay(policy: ReconnectPolicy, attempt: u32, info: &CloseInfo) -> Option<u64> {
    let retry = match info.kind {
        CloseKind::Abnormal | CloseKind::NoResponseTimeout | CloseKind::Other => true,
        CloseKind::HandshakeRefused => attempt > 0,
        CloseKind::Normal | CloseKind::DataError | CloseKind::IdleTimeout => false,
    };
    (retry && attempt < policy.attempts)
        .then(|| policy.delay_ms.saturating_mul(u64::from(attempt) + 1))
}

/// The reconnect timer fired: open the new session's socket.
fn reconnect(shared: &Rc<Shared>) {
    {
        let Ok(mut guard) = shared.inner.try_borrow_mut() else {
            return;
        };
        let inner = &mut *guard;
        if let Some(t) = inner.reconnect_timer.as_mut() {
            t.fired();
        }
        if inner
            .session
            .as_ref()
            .is_none_or(|s| s.state() == SessionState::Closed)
        {
            return;
        }
        let url = inner.config.options.to_url(&inner.config.endpoint);
        let protocols = inner.config.auth.subprotocols();
        if let Err(e) = inner.link.connect(
            CLASS,
            &url,
            &protocols,
            Rc::downgrade(shared),
            on_socket_event,
            on_timer,
        ) {
            // Cannot happen with a URL that worked before; end the stream rather than wait forever.
            let _ = e;
            if let Some(s) = inner.session.as_mut() {
                s.close(now_ms());
            }
        }
    }
    pump(shared);
}

impl HasSession for Inner {
    type Session = ListenSession;
    fn parts(&mut self) -> (Option<&mut ListenSession>, &mut Link) {
        (self.session.as_mut(), &mut self.link)
    }
}

/// Moves the session's output to the socket, turns its events into JS events, re-arms the timer, then (with no
/// borrow held) dispatches.
fn pump(shared: &Rc<Shared>) {
    let mut settle: Vec<(Function, JsValue)> = Vec::new();
    {
        let Ok(mut guard) = shared.inner.try_borrow_mut() else {
            return;
        };
        let inner = &mut *guard;
        let now = now_ms();
        let mut events = shared.events.borrow_mut();
        let mut stop = false;
        let mut replan = None;
        if let Some(session) = inner.session.as_mut() {
            if let Some(sock) = inner.link.socket.as_ref() {
                session.set_socket_buffered(sock.buffered_amount());
            }
            inner.link.transmit(session, &mut events, now);
            let mut closed: Option<CloseInfo> = None;
            while let Some(ev) = session.poll_event() {
                match ev {
                    ListenEvent::Open => {
                        inner.link.opened(&mut events, &mut settle);
                        if inner.reconnect_attempt > 0 {
                            let o = Object::new();
                            payload::set(&o, "attempt", inner.reconnect_attempt);
                            // Deepgram's timestamps restart at 0 on a new connection: this is where it starts
                            // in the audio sent so far, to add to `start` of the results that follow.
                            let offset = inner
                                .config
                                .options
                                .audio_bytes_per_second()
                                .map(|bps| inner.prior.sent_bytes as f64 / f64::from(bps.max(1)));
                            payload::set(
                                &o,
                                "timeOffset",
                                offset.map_or(JsValue::NULL, JsValue::from),
                            );
                            events.push("reconnected", o.into());
                            inner.reconnect_attempt = 0;
                        }
                    }
                    ListenEvent::Transcript(r) => events.push("transcript", parse_json(r.raw())),
                    ListenEvent::Metadata(m) => {
                        inner.last_metadata = Some(m.raw().to_string());
                        events.push("metadata", parse_json(m.raw()));
                    }
                    ListenEvent::UtteranceEnd(u) => events.push("utteranceEnd", parse_json(u.raw())),
                    ListenEvent::SpeechStarted(s) => events.push("speechStarted", parse_json(s.raw())),
                    ListenEvent::ServerError(e) => {
                        events.push("error", payload::server_error(e.raw()));
                    }
                    ListenEvent::Unhandled(raw) => events.push("unhandled", parse_json(&raw)),
                    ListenEvent::ProtocolError { message, .. } => {
                        events.push("error", error_payload(ErrorKind::Protocol, &message));
                    }
                    ListenEvent::Warning { code, message } => {
                        events.push("warning", payload::warning(&code, &message));
                    }
                    ListenEvent::FinalizeTimeout => events.push(
                        "warning",
                        payload::warning(
                            "finalize_timeout",
                            "no result with from_finalize arrived after finalize(): the server may have had nothing buffered",
                        ),
                    ),
                    ListenEvent::Close(info) => closed = Some(info),
                }
            }
            if let Some(delay) = closed.as_ref().and_then(|info| {
                reconnect_delay(inner.config.reconnect, inner.reconnect_attempt, info)
            }) {
                let st = session.stats();
                inner.prior.sent_frames += st.audio_frames_sent;
                inner.prior.sent_bytes += st.audio_bytes_sent;
                inner.prior.dropped_bytes += st.audio_bytes_dropped;
                inner.prior.keep_alives += st.keep_alives_sent;
                replan = closed
                    .take()
                    .map(|info| (delay, session.take_unsent_audio(), info));
            }
            if let Some(info) = closed {
                stop = true;
                if let Some(mut t) = inner.reconnect_timer.take() {
                    t.cancel();
                    defer_drop(t);
                }
                let explanation = info.kind.explain();
                inner.link.closed(&info, &mut events, &mut settle);
                let metadata = inner.last_metadata.as_deref().map(parse_json);
                for (resolve, reject) in inner.close_waiters.drain(..) {
                    match &metadata {
                        Some(m) => settle.push((resolve, m.clone())),
                        None => settle.push((
                            reject,
                            js_error(
                                ErrorKind::Network,
                                &format!("the stream closed without final Metadata: {explanation}"),
                            ),
                        )),
                    }
                }
            }
            inner.link.finish_pump(session, now);
        }
        if stop {
            stop_capture(inner);
        }
        if let Some((delay, unsent, info)) = replan {
            // The connection dropped: a new session takes the audio that was never sent and everything captured
            // from now on (queued until it opens); its socket opens after `delay`.
            inner.link.drop_quietly();
            inner.reconnect_attempt += 1;
            let mut fresh = ListenSession::new(inner.config.listen.clone());
            for bytes in unsent {
                let _ = fresh.send_audio(bytes, now);
            }
            inner.session = Some(fresh);
            let o = Object::new();
            payload::set(&o, "attempt", inner.reconnect_attempt);
            payload::set(&o, "delayMs", delay as f64);
            payload::set(&o, "code", info.code);
            payload::set(&o, "reason", info.reason.as_str());
            payload::set(&o, "explanation", info.kind.explain());
            events.push("reconnecting", o.into());
            let weak = Rc::downgrade(shared);
            let timer = inner.reconnect_timer.get_or_insert_with(|| {
                Timer::new(move || {
                    if let Some(shared) = weak.upgrade() {
                        reconnect(&shared);
                    }
                })
            });
            timer.arm_at(Some(now.saturating_add(delay)), now);
        }
    }
    for (f, v) in settle {
        let _ = f.call1(&JsValue::UNDEFINED, &v);
    }
    dispatch(&shared.events);
}

/// Releases the microphone and the audio graph (deferred: we may be inside the worklet's message callback).
fn stop_capture(inner: &mut Inner) {
    if let Some(c) = inner.capture.take() {
        defer_drop(c);
    }
    inner.encoder = None;
    if let Some(ctx) = inner.context.take() {
        if inner.own_context {
            let _ = ctx.close();
        }
    }
}

fn close_with_error(shared: &Rc<Shared>, kind: ErrorKind, message: &str) {
    shared
        .events
        .borrow_mut()
        .push("error", error_payload(kind, message));
    {
        let mut inner = shared.inner.borrow_mut();
        stop_capture(&mut inner);
        let now = now_ms();
        if let Some(s) = inner.session.as_mut() {
            s.close(now);
        }
    }
    pump(shared);
}
