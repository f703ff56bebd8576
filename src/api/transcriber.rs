//! `Transcriber`: microphone (or app audio) → live speech-to-text over `/v1/listen`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{AudioContext, AudioNode, MediaStream};

use super::errors::{error_payload, js_error, ErrorKind};
use super::events::{dispatch, EventHub};
use super::js_options::{parse_json, to_json, JsOptions};
use crate::audio::{CaptureEncoder, LevelMeter, SampleFormat};
use crate::protocol::{
    Auth, CloseInfo, CloseKind, Endpoint, ListenConfig, ListenEncoding, ListenEvent, ListenOptions,
    ListenSession, SessionState, Transmit,
};
use crate::web::capture::{Capture, CaptureSource, CapturedFrame, MicrophoneConstraints};
use crate::web::clock::now_ms;
use crate::web::socket::{Socket, SocketEvent};
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
}

#[derive(Default)]
struct CaptureStats {
    frames: u64,
    samples: u64,
    bytes: u64,
    paused_frames: u64,
}

struct Inner {
    config: Config,
    session: Option<ListenSession>,
    socket: Option<Socket>,
    timer: Option<Timer>,
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
    opened: bool,
    open_waiters: Vec<(Function, Function)>,
    close_waiters: Vec<(Function, Function)>,
    last_metadata: Option<String>,
    capture_stats: CaptureStats,
    sample_rate_in: u32,
    /// Output format, rate and channels of the capture chain (set when capture is requested).
    encoder_spec: Option<(SampleFormat, u32, u32)>,
}

#[wasm_bindgen]
impl Transcriber {
    /// Validates the options synchronously; throws an `Error` (with `kind: "options"`) naming the bad field.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Transcriber, JsValue> {
        let config = parse_config(&options).map_err(|m| js_error(ErrorKind::Options, &m))?;
        let inner = Inner {
            config,
            session: None,
            socket: None,
            timer: None,
            capture: None,
            context: None,
            own_context: false,
            encoder: None,
            scratch: Vec::new(),
            encoded: Vec::new(),
            meter: LevelMeter::new(),
            last_level_ms: 0,
            paused: false,
            opened: false,
            open_waiters: Vec::new(),
            close_waiters: Vec::new(),
            last_metadata: None,
            capture_stats: CaptureStats::default(),
            sample_rate_in: 0,
            encoder_spec: None,
        };
        Ok(Transcriber {
            shared: Rc::new(Shared {
                inner: RefCell::new(inner),
                events: RefCell::new(EventHub::new(TRANSCRIBER_EVENTS)),
            }),
        })
    }

    /// Subscribes `handler` to `event` (see the README for the list); returns `this` for chaining.
    pub fn on(&self, event: &str, handler: Function) -> Result<Transcriber, JsValue> {
        self.shared
            .events
            .borrow_mut()
            .on(event, handler)
            .map_err(|m| js_error(ErrorKind::Options, &m))?;
        Ok(Transcriber {
            shared: self.shared.clone(),
        })
    }

    /// Unsubscribes `handler` (or every handler of `event` when omitted).
    pub fn off(&self, event: &str, handler: Option<Function>) -> Result<(), JsValue> {
        self.shared
            .events
            .borrow_mut()
            .off(event, handler)
            .map_err(|m| js_error(ErrorKind::Options, &m))
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
        self.with_session(|s, now| s.send_audio(bytes, now).map_err(|e| e.to_string()))
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
        self.with_session(|s, now| s.keep_alive(now).map_err(|e| e.to_string()))
    }

    /// Asks the server to finalize what it has buffered (a result with `from_finalize: true` follows).
    pub fn finalize(&self) -> Result<(), JsValue> {
        self.with_session(|s, now| s.finalize(None, now).map_err(|e| e.to_string()))
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
        let inner = self.shared.inner.borrow();
        match inner.session.as_ref().map(ListenSession::state) {
            None => "idle",
            Some(SessionState::Connecting) => "connecting",
            Some(SessionState::Open) => "open",
            Some(SessionState::Closing) => "closing",
            Some(SessionState::Closed) => "closed",
        }
        .into()
    }

    /// Counters: frames and bytes captured and sent, KeepAlives, the socket's bufferedAmount, bytes dropped.
    pub fn stats(&self) -> JsValue {
        let inner = self.shared.inner.borrow();
        let o = Object::new();
        let set = |k: &str, v: f64| {
            let _ = Reflect::set(&o, &k.into(), &v.into());
        };
        set("capturedFrames", inner.capture_stats.frames as f64);
        set("capturedSamples", inner.capture_stats.samples as f64);
        set("capturedBytes", inner.capture_stats.bytes as f64);
        set("pausedFrames", inner.capture_stats.paused_frames as f64);
        set("inputSampleRate", f64::from(inner.sample_rate_in));
        if let Some(s) = inner.session.as_ref() {
            let st = s.stats();
            set("sentFrames", st.audio_frames_sent as f64);
            set("sentBytes", st.audio_bytes_sent as f64);
            set("queuedBytes", st.audio_bytes_queued as f64);
            set("droppedBytes", st.audio_bytes_dropped as f64);
            set("keepAlives", st.keep_alives_sent as f64);
        }
        set(
            "bufferedAmount",
            inner
                .socket
                .as_ref()
                .map_or(0.0, |s| s.buffered_amount() as f64),
        );
        o.into()
    }
}

impl Transcriber {
    fn with_session(
        &self,
        f: impl FnOnce(&mut ListenSession, u64) -> Result<(), String>,
    ) -> Result<(), JsValue> {
        let result = {
            let mut inner = self.shared.inner.borrow_mut();
            match inner.session.as_mut() {
                Some(s) => f(s, now_ms()),
                None => Err(format!("{CLASS}: not started: call start() first")),
            }
        };
        pump(&self.shared);
        result.map_err(|m| js_error(ErrorKind::State, &m))
    }
}

fn parse_config(options: &JsValue) -> Result<Config, String> {
    let o = JsOptions::new(options, CLASS)?;
    o.only(&[
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
    ])?;
    let base = o
        .string("baseUrl")?
        .unwrap_or_else(|| "wss://api.deepgram.com".into());
    let endpoint = Endpoint::parse(&base).map_err(|e| format!("{}: {e}", o.path("baseUrl")))?;
    let auth = Auth::from_json(&to_json(&o.get("auth"), &o.path("auth"))?)
        .map_err(|e| format!("{}: {e}", o.path("auth")))?;
    let options = ListenOptions::from_json(&to_json(&o.get("options"), &o.path("options"))?)
        .map_err(|e| format!("{}: {e}", o.path("options")))?;
    let mut listen = ListenConfig::default();
    if let Some(v) = o.int("keepAliveMs", 0, 9_000)? {
        listen.keep_alive_ms = v;
    }
    if let Some(v) = o.int("closeTimeoutMs", 100, 120_000)? {
        listen.close_timeout_ms = v;
    }
    if let Some(v) = o.int("finalizeTimeoutMs", 100, 120_000)? {
        listen.finalize_timeout_ms = v;
    }
    if let Some(v) = o.int("bufferHighWaterBytes", 1024, 1 << 30)? {
        listen.buffer_high_water_bytes = v as usize;
    }
    if let Some(v) = o.int("bufferCapBytes", 1024, 1 << 30)? {
        listen.buffer_cap_bytes = v as usize;
    }
    let frame_ms = o.int("frameMs", 10, 100)?.unwrap_or(20) as u32;
    let worklet = parse_worklet(&o)?;
    let microphone = parse_microphone(&o.get("microphone"), &o.path("microphone"))?;
    Ok(Config {
        endpoint,
        auth,
        options,
        listen,
        frame_ms,
        worklet,
        microphone,
    })
}

fn parse_worklet(o: &JsOptions<'_>) -> Result<WorkletSource, String> {
    match o.string("worklet")?.as_deref() {
        None | Some("file") => Ok(WorkletSource::File),
        Some("blob") => Ok(WorkletSource::Blob),
        Some(u) if u.contains('/') || u.contains(':') => Ok(WorkletSource::Url(u.to_string())),
        Some(other) => Err(format!(
            "{}: \"{other}\" is not \"file\", \"blob\" or a URL of capture-processor.js",
            o.path("worklet")
        )),
    }
}

fn parse_microphone(v: &JsValue, path: &str) -> Result<MicrophoneConstraints, String> {
    let mut c = MicrophoneConstraints::default();
    if v.as_bool().is_some() || v.is_undefined() || v.is_null() {
        return Ok(c);
    }
    let o = JsOptions::new(v, path)?;
    o.only(&[
        "deviceId",
        "echoCancellation",
        "noiseSuppression",
        "autoGainControl",
    ])?;
    if let Some(b) = o.bool("echoCancellation")? {
        c.echo_cancellation = b;
    }
    if let Some(b) = o.bool("noiseSuppression")? {
        c.noise_suppression = b;
    }
    if let Some(b) = o.bool("autoGainControl")? {
        c.auto_gain_control = b;
    }
    c.device_id = o.string("deviceId")?;
    Ok(c)
}

fn parse_source(shared: &Rc<Shared>, v: &JsValue) -> Result<Option<CaptureSource>, String> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    let o = JsOptions::new(v, "start(source)")?;
    o.only(&["microphone", "stream", "node", "audioContext"])?;
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
        constraints = parse_microphone(&mic, "start(source).microphone")?;
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
    let sink_weak = weak.clone();
    let sink: Rc<dyn Fn(SocketEvent)> = Rc::new(move |ev| {
        if let Some(shared) = sink_weak.upgrade() {
            on_socket_event(&shared, ev);
        }
    });
    let socket = Socket::connect(&url, &protocols, sink).map_err(|e| {
        js_error(
            ErrorKind::Options,
            &format!(
                "{CLASS} options.baseUrl: the browser rejected the URL: {}",
                audio_context::describe(&e)
            ),
        )
    })?;
    inner.session = Some(ListenSession::new(inner.config.listen.clone()));
    inner.socket = Some(socket);
    inner.timer = Some(Timer::new(move || {
        if let Some(shared) = weak.upgrade() {
            on_timer(&shared);
        }
    }));
    Ok(())
}

/// A promise settled by the first `open` (resolve) or a close before it (reject).
fn wait_open(shared: &Rc<Shared>) -> Promise {
    let mut waiter = None;
    let promise = Promise::new(&mut |resolve, reject| waiter = Some((resolve, reject)));
    if let Some(w) = waiter {
        let mut inner = shared.inner.borrow_mut();
        if inner.opened {
            let _ = w.0.call0(&JsValue::UNDEFINED);
        } else {
            inner.open_waiters.push(w);
        }
    }
    promise
}

async fn start_capture(shared: &Rc<Shared>, source: CaptureSource) -> Result<(), String> {
    let (ctx, frame_ms, channels, worklet) = {
        let mut inner = shared.inner.borrow_mut();
        let ctx = match inner.context.clone() {
            Some(c) => c,
            None => {
                let c = audio_context::create().map_err(|e| {
                    format!(
                        "could not create an AudioContext: {}",
                        audio_context::describe(&e)
                    )
                })?;
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
    inner.encoder = Some(encoder);
    inner.capture = Some(capture);
    Ok(())
}

/// One 20 ms frame from the worklet: resample + encode in Rust, queue on the session, pump.
fn on_captured(shared: &Rc<Shared>, frame: CapturedFrame<'_>) {
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
        let level = if now.saturating_sub(inner.last_level_ms) >= LEVEL_INTERVAL_MS {
            inner.last_level_ms = now;
            planar.first().map(|ch| inner.meter.measure(ch))
        } else {
            None
        };
        if inner.paused {
            inner.capture_stats.paused_frames += 1;
        } else if !inner.encoded.is_empty() {
            let bytes = std::mem::take(&mut inner.encoded);
            if let Some(s) = inner.session.as_mut() {
                if let Err(e) = s.send_audio(bytes, now) {
                    let _ = e;
                }
            }
        }
        level
    };
    if let Some(level) = level {
        let mut events = shared.events.borrow_mut();
        if events.has("level") {
            let o = Object::new();
            let _ = Reflect::set(&o, &"rms".into(), &level.rms.into());
            let _ = Reflect::set(&o, &"peak".into(), &level.peak.into());
            let _ = Reflect::set(&o, &"rmsDb".into(), &level.rms_db.into());
            let _ = Reflect::set(&o, &"peakDb".into(), &level.peak_db.into());
            events.push("level", o.into());
        }
    }
    pump(shared);
}

fn on_socket_event(shared: &Rc<Shared>, ev: SocketEvent) {
    {
        let Ok(mut inner) = shared.inner.try_borrow_mut() else {
            return;
        };
        let now = now_ms();
        if let Some(s) = inner.session.as_mut() {
            match ev {
                SocketEvent::Open => s.handle_open(now),
                SocketEvent::Text(t) => s.handle_text(&t, now),
                SocketEvent::Binary(b) => s.handle_binary(&b, now),
                SocketEvent::Close {
                    code,
                    reason,
                    was_clean,
                } => s.handle_close(code, &reason, was_clean, now),
                SocketEvent::Error => s.handle_socket_error(now),
            }
        }
    }
    pump(shared);
}

fn on_timer(shared: &Rc<Shared>) {
    {
        let Ok(mut inner) = shared.inner.try_borrow_mut() else {
            return;
        };
        if let Some(t) = inner.timer.as_mut() {
            t.fired();
        }
        let now = now_ms();
        if let Some(s) = inner.session.as_mut() {
            s.handle_timeout(now);
        }
    }
    pump(shared);
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
        if let Some(session) = inner.session.as_mut() {
            if let Some(sock) = inner.socket.as_ref() {
                session.set_socket_buffered(sock.buffered_amount());
            }
            while let Some(t) = session.poll_transmit(now) {
                let Some(sock) = inner.socket.as_ref() else {
                    continue;
                };
                let sent = match &t {
                    Transmit::Text(text) => sock.send_text(text),
                    Transmit::Binary(bytes) => sock.send_binary(bytes),
                    Transmit::Close { code, reason } => {
                        sock.close(*code, reason);
                        Ok(())
                    }
                };
                if let Err(e) = sent {
                    events.push(
                        "error",
                        error_payload(
                            ErrorKind::Network,
                            &format!("send failed: {}", audio_context::describe(&e)),
                        ),
                    );
                }
            }
            let mut closed: Option<CloseInfo> = None;
            while let Some(ev) = session.poll_event() {
                match ev {
                    ListenEvent::Open => {
                        inner.opened = true;
                        for (resolve, _) in inner.open_waiters.drain(..) {
                            settle.push((resolve, JsValue::UNDEFINED));
                        }
                        let o = Object::new();
                        if let Some(sock) = inner.socket.as_ref() {
                            let _ = Reflect::set(&o, &"protocol".into(), &sock.protocol().into());
                        }
                        events.push("open", o.into());
                    }
                    ListenEvent::Transcript(r) => events.push("transcript", parse_json(r.raw())),
                    ListenEvent::Metadata(m) => {
                        inner.last_metadata = Some(m.raw().to_string());
                        events.push("metadata", parse_json(m.raw()));
                    }
                    ListenEvent::UtteranceEnd(u) => events.push("utteranceEnd", parse_json(u.raw())),
                    ListenEvent::SpeechStarted(s) => events.push("speechStarted", parse_json(s.raw())),
                    ListenEvent::ServerError(e) => {
                        let payload = parse_json(e.raw());
                        let message = Reflect::get(&payload, &"description".into())
                            .ok()
                            .and_then(|d| d.as_string())
                            .unwrap_or_else(|| "the server reported an error".into());
                        let o = error_payload(ErrorKind::Server, &message);
                        let _ = Reflect::set(&o, &"server".into(), &payload);
                        events.push("error", o);
                    }
                    ListenEvent::Unhandled(raw) => events.push("unhandled", parse_json(&raw)),
                    ListenEvent::ProtocolError { message, .. } => {
                        events.push("error", error_payload(ErrorKind::Protocol, &message));
                    }
                    ListenEvent::Warning { code, message } => {
                        events.push("warning", warning_payload(&code, &message));
                    }
                    ListenEvent::FinalizeTimeout => events.push(
                        "warning",
                        warning_payload(
                            "finalize_timeout",
                            "no result with from_finalize arrived after finalize(): the server may have had nothing buffered",
                        ),
                    ),
                    ListenEvent::Close(info) => closed = Some(info),
                }
            }
            if let Some(info) = closed {
                if info.kind == CloseKind::HandshakeRefused {
                    events.push(
                        "error",
                        error_payload(ErrorKind::Handshake, info.kind.explain()),
                    );
                } else if !matches!(info.kind, CloseKind::Normal) {
                    events.push(
                        "error",
                        error_payload(ErrorKind::Network, info.kind.explain()),
                    );
                }
                let explanation = info.kind.explain();
                let o = Object::new();
                let _ = Reflect::set(&o, &"code".into(), &info.code.into());
                let _ = Reflect::set(&o, &"reason".into(), &info.reason.as_str().into());
                let _ = Reflect::set(&o, &"wasClean".into(), &info.was_clean.into());
                let _ = Reflect::set(&o, &"explanation".into(), &explanation.into());
                events.push("close", o.into());
                for (_, reject) in inner.open_waiters.drain(..) {
                    settle.push((reject, js_error(ErrorKind::Handshake, explanation)));
                }
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
                stop_capture(inner);
                if let Some(sock) = inner.socket.take() {
                    defer_drop(sock);
                }
                if let Some(mut t) = inner.timer.take() {
                    t.cancel();
                    defer_drop(t);
                }
            }
            if let (Some(timer), Some(session)) = (inner.timer.as_mut(), inner.session.as_ref()) {
                timer.arm_at(session.next_timeout(), now);
            }
        }
    }
    for (f, v) in settle {
        let _ = f.call1(&JsValue::UNDEFINED, &v);
    }
    dispatch(&shared.events);
}

fn warning_payload(code: &str, message: &str) -> JsValue {
    let o = Object::new();
    let _ = Reflect::set(&o, &"code".into(), &code.into());
    let _ = Reflect::set(&o, &"message".into(), &message.into());
    o.into()
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

/// The bytes of an ArrayBuffer, a typed array or a DataView.
fn bytes_of(v: &JsValue) -> Option<Vec<u8>> {
    if let Some(buf) = v.dyn_ref::<js_sys::ArrayBuffer>() {
        return Some(js_sys::Uint8Array::new(buf).to_vec());
    }
    if js_sys::ArrayBuffer::is_view(v) {
        let buffer = Reflect::get(v, &"buffer".into()).ok()?;
        let offset = Reflect::get(v, &"byteOffset".into()).ok()?.as_f64()? as u32;
        let length = Reflect::get(v, &"byteLength".into()).ok()?.as_f64()? as u32;
        return Some(
            js_sys::Uint8Array::new_with_byte_offset_and_length(&buffer, offset, length).to_vec(),
        );
    }
    None
}
