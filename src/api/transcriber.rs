//! `Transcriber`: microphone (or app audio) → live speech-to-text over `/v1/listen`.
//!
//! The class moves bytes and events: its options are read by `config`, its stream (reconnects, replay,
//! counters) is `stream::ListenStream`, the capture chain is `web::capture` + `audio::CaptureEncoder`. What is
//! left here is the wiring and the JS payloads.

use std::cell::{Cell, RefCell};
use std::fmt::Display;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use web_sys::{AudioContext, AudioNode, MediaStream};

use super::arguments::argument_error;
use super::connection::{self, HasStream, Link, Settle};
use super::errors::{error_payload, freed_error, js_error, options_error, rejected, state_error};
use super::events::{dispatch, subscribe, unsubscribe, EventHub};
use super::payload::{self, or_null, set};
use crate::audio::{CaptureEncoder, LatencyHistogram, LevelMeter};
use crate::config::Bag;
use crate::config::{CaptureFormat, Microphone, MicrophoneOptions, TranscriberConfig};
use crate::events::{ErrorKind, Event, TRANSCRIBER_EVENTS};
use crate::protocol::{
    check_names, field_names, flag_or_checked, warning_code, ConfigureUpdate, FlagOr, ListenEvent,
    SessionIo, SessionState,
};
use crate::stream::{is_user_speech, CaptureHealth, CaptureWatchdog, ListenStream, Watch};
use crate::web::bag::{JsBag, JsObject};
use crate::web::capture::{Capture, CaptureSource, CapturedFrame};
use crate::web::clock::now;
use crate::web::socket::SocketEvent;
use crate::web::value::{bytes_of, NoBytes};
use crate::web::{audio_context, defer_drop};

const CLASS: &str = "Transcriber";
/// `level` events at most this often.
const LEVEL_INTERVAL_MS: f64 = 50.0;

/// Live speech-to-text: `new Transcriber({baseUrl, auth, options})`, `on('transcript', fn)`, `start()`.
#[wasm_bindgen]
pub struct Transcriber {
    shared: Rc<Shared>,
}

struct Shared {
    inner: RefCell<Inner>,
    events: RefCell<EventHub>,
    /// `free()` was called: every method but the getters throws a `state` error.
    freed: Cell<bool>,
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

/// The microphone (or app node) chain: graph, encoder, meter.
#[derive(Default)]
struct CaptureChain {
    capture: Option<Capture>,
    context: Option<AudioContext>,
    /// Whether we created the context (an app-supplied one is never closed by us).
    own_context: bool,
    encoder: Option<CaptureEncoder>,
    /// What the encoder produces (set when capture is requested).
    format: Option<CaptureFormat>,
    scratch: Vec<f32>,
    encoded: Vec<u8>,
    meter: LevelMeter,
    last_level_ms: f64,
    paused: bool,
    stats: CaptureStats,
    sample_rate_in: u32,
    /// Notices a capture that stopped (`capture_stalled` / `capture_resumed` warnings).
    watchdog: Option<CaptureWatchdog>,
    /// Checks the watchdog while capture runs.
    watch_timer: Option<Interval>,
}

struct Inner {
    config: TranscriberConfig,
    stream: Option<ListenStream<JsValue>>,
    link: Link,
    chain: CaptureChain,
    close_waiters: Vec<(Function, Function)>,
    /// `configure()` promises, oldest first: Deepgram answers each Configure once, in order.
    configure_waiters: std::collections::VecDeque<(Function, Function)>,
    /// Called (with no borrow held) when the user speaks: how a `VoiceSession` barges in.
    on_user_speech: Option<Rc<dyn Fn()>>,
}

#[wasm_bindgen]
impl Transcriber {
    /// Validates the options synchronously; throws an `Error` (with `kind: "options"`) naming the bad field.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Transcriber, JsValue> {
        let bag = JsBag::copy(&options, "Transcriber options").map_err(|m| options_error(&m))?;
        let config = TranscriberConfig::read(&bag).map_err(|m| options_error(&m))?;
        Ok(Transcriber::from_config(config))
    }
}

impl Transcriber {
    /// A Transcriber running `config` (a `VoiceSession`'s listen half).
    pub(crate) fn from_config(config: TranscriberConfig) -> Transcriber {
        let inner = Inner {
            config,
            stream: None,
            link: Link::default(),
            chain: CaptureChain::default(),
            close_waiters: Vec::new(),
            configure_waiters: std::collections::VecDeque::new(),
            on_user_speech: None,
        };
        Transcriber {
            shared: Rc::new(Shared {
                inner: RefCell::new(inner),
                events: RefCell::new(EventHub::new(CLASS, TRANSCRIBER_EVENTS)),
                freed: Cell::new(false),
            }),
        }
    }

    /// Another handle on the same Transcriber.
    pub(crate) fn handle(&self) -> Transcriber {
        Transcriber {
            shared: self.shared.clone(),
        }
    }

    /// `Ok` unless `free()` was called; `call` names the method in the error.
    fn alive(&self, call: &'static str) -> Result<(), JsValue> {
        match self.shared.freed.get() {
            false => Ok(()),
            true => Err(freed_error(CLASS, call)),
        }
    }

    /// The event hub, for `VoiceSession` (forwarding).
    pub(crate) fn events(&self) -> &RefCell<EventHub> {
        &self.shared.events
    }

    /// Calls `f` whenever the user speaks (`speechStarted`, or a transcript with words).
    pub(crate) fn on_user_speech(&self, f: Rc<dyn Fn()>) {
        self.shared.inner.borrow_mut().on_user_speech = Some(f);
    }
}

#[wasm_bindgen]
impl Transcriber {
    /// Subscribes `handler` to `event` (see the README for the list); returns `this` for chaining.
    pub fn on(&self, event: JsValue, handler: JsValue) -> Result<Transcriber, JsValue> {
        self.alive("on(event, handler)")?;
        subscribe(&self.shared.events, &event, &handler)?;
        Ok(self.handle())
    }

    /// Unsubscribes `handler` (or every handler of `event` when omitted).
    pub fn off(&self, event: JsValue, handler: JsValue) -> Result<(), JsValue> {
        self.alive("off(event, handler)")?;
        unsubscribe(&self.shared.events, &event, &handler)
    }

    /// Opens the stream. `start({microphone: true | {deviceId, echoCancellation, ...}})`, `start({stream})`,
    /// `start({node})`, or `start()` alone to send audio yourself with `sendAudio`. Resolves once the server
    /// accepted the connection and capture runs.
    pub fn start(&self, source: JsValue) -> Promise {
        if let Err(e) = self.alive("start(source)") {
            return rejected(e);
        }
        let shared = self.shared.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let source = parse_source(&shared, &source).map_err(|m| options_error(&m))?;
            open_stream(&shared, source.is_some())?;
            let opened = shared.inner.borrow_mut().link.wait_open();
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
        self.alive("sendAudio(data)")?;
        let bytes = bytes_of(&data).map_err(|e| {
            let expected = match e {
                NoBytes::NotBinary => {
                    "audio bytes (an ArrayBuffer, or a typed array such as Int16Array or Uint8Array)"
                }
                NoBytes::Detached => {
                    "audio bytes in a buffer that is still here (this one was transferred, e.g. by \
                     postMessage: send a copy)"
                }
            };
            argument_error(CLASS, "sendAudio(data)", expected, &data)
        })?;
        if bytes.is_empty() {
            // An empty binary frame would end the stream on older servers: never send one.
            return Ok(());
        }
        self.with_stream(Call::Audio(bytes))
    }

    /// Stops sending captured audio; KeepAlive messages keep the stream open.
    pub fn pause(&self) -> Result<(), JsValue> {
        self.alive("pause()")?;
        self.shared.inner.borrow_mut().chain.paused = true;
        Ok(())
    }

    /// Sends captured audio again after `pause()`.
    pub fn resume(&self) -> Result<(), JsValue> {
        self.alive("resume()")?;
        self.shared.inner.borrow_mut().chain.paused = false;
        Ok(())
    }

    /// Sends a KeepAlive now (automatic ones go out after `keepAliveMs` without audio).
    #[wasm_bindgen(js_name = keepAlive)]
    pub fn keep_alive(&self) -> Result<(), JsValue> {
        self.alive("keepAlive()")?;
        self.with_stream(Call::KeepAlive)
    }

    /// Asks the server to finalize what it has buffered (a result with `from_finalize: true` follows).
    pub fn finalize(&self) -> Result<(), JsValue> {
        self.alive("finalize()")?;
        self.with_stream(Call::Finalize)
    }

    /// Sends `Configure`: new keyterms (`keyterms`, replacing the stream's; `[]` clears them) and features
    /// (`features: {numerals}`) for the open stream. Resolves with the server's `ConfigureSuccess`, rejects
    /// (`server`) with its `ConfigureFailure`, or if the connection ends first. A bad update throws (`argument`).
    pub fn configure(&self, update: JsValue) -> Result<Promise, JsValue> {
        self.alive("configure(update)")?;
        let update = read_configure(&update).map_err(|m| {
            js_error(
                ErrorKind::Argument,
                &["Transcriber.configure(update): ", &m].concat(),
            )
        })?;
        let mut waiter = None;
        let promise = Promise::new(&mut |resolve, reject| waiter = Some((resolve, reject)));
        let result = {
            let mut inner = self.shared.inner.borrow_mut();
            let model = inner.config.options.model.clone();
            update
                .validate(model.as_deref())
                .map_err(|m| {
                    js_error(
                        ErrorKind::Argument,
                        &["Transcriber.configure(update): ", &m].concat(),
                    )
                })
                .and_then(|()| match inner.stream.as_mut() {
                    Some(s) => s
                        .configure(update, now())
                        .map_err(|e| state_error(CLASS, Some(&e as &dyn Display))),
                    None => Err(state_error(CLASS, None)),
                })
                .map(|()| {
                    if let Some(w) = waiter.take() {
                        inner.configure_waiters.push_back(w);
                    }
                })
        };
        pump(&self.shared);
        result.map(|()| promise)
    }

    /// Ends the stream gracefully: stops capture, sends CloseStream, and resolves with the server's final
    /// `Metadata` once the server closes (rejects if the stream ends without one).
    #[wasm_bindgen(js_name = closeStream)]
    pub fn close_stream(&self) -> Promise {
        if let Err(e) = self.alive("closeStream()") {
            return rejected(e);
        }
        let mut waiter = None;
        let promise = Promise::new(&mut |resolve, reject| waiter = Some((resolve, reject)));
        let result = {
            let mut inner = self.shared.inner.borrow_mut();
            stop_capture(&mut inner.chain);
            let res = match inner.stream.as_mut() {
                Some(s) => s.close_stream(now()).map_err(|e| e.to_string()),
                None => Err(
                    "Transcriber.closeStream(): the stream was never started: call start() first"
                        .into(),
                ),
            };
            if res.is_ok() {
                if let Some(w) = waiter.take() {
                    inner.close_waiters.push(w);
                }
            }
            res
        };
        pump(&self.shared);
        if let (Err(m), Some((_, reject))) = (result, waiter) {
            let _ = reject.call1(&JsValue::UNDEFINED, &js_error(ErrorKind::State, &m));
        }
        promise
    }

    /// Closes at once (no final results): the socket, the microphone and the audio graph.
    pub fn close(&self) -> Result<(), JsValue> {
        self.alive("close()")?;
        close_now(&self.shared);
        Ok(())
    }

    /// Releases the Transcriber at once: closes it as `close()` does, drops its listeners; every later call but
    /// the getters throws a `state` error. Also `[Symbol.dispose]`. (Replaces wasm-bindgen's own `free()`, after
    /// which any call would fail with a bare "null pointer passed to rust".)
    #[wasm_bindgen(js_name = free)]
    pub fn release(&self) {
        if self.shared.freed.replace(true) {
            return;
        }
        self.shared.events.borrow_mut().clear();
        self.shared.inner.borrow_mut().on_user_speech = None;
        close_now(&self.shared);
    }

    /// `"idle"` (not started), `"connecting"`, `"open"`, `"closing"` or `"closed"`.
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        let inner = self.shared.inner.borrow();
        connection::state_name(inner.stream.as_ref().map(SessionIo::state)).into()
    }

    /// Counters: frames and bytes captured and sent, KeepAlives, the socket's bufferedAmount, bytes dropped.
    pub fn stats(&self) -> JsValue {
        let inner = self.shared.inner.borrow();
        let o = Object::new();
        let c = &inner.chain.stats;
        set(&o, "capturedFrames", c.frames as f64);
        set(&o, "capturedSamples", c.samples as f64);
        set(&o, "capturedBytes", c.bytes as f64);
        set(&o, "pausedFrames", c.paused_frames as f64);
        set(&o, "inputSampleRate", inner.chain.sample_rate_in);
        if let Some(s) = inner.stream.as_ref() {
            let st = s.stats();
            set(&o, "sentFrames", st.audio_frames_sent as f64);
            set(&o, "sentBytes", st.audio_bytes_sent as f64);
            set(&o, "queuedBytes", st.audio_bytes_queued as f64);
            set(&o, "droppedBytes", st.audio_bytes_dropped as f64);
            set(&o, "keepAlives", st.keep_alives_sent as f64);
            set(&o, "replayedBytes", st.audio_bytes_replayed as f64);
            set(&o, "unreplayedBytes", st.audio_bytes_unreplayed as f64);
        }
        let h = &c.to_send;
        if h.count() > 0 {
            let l = Object::new();
            set(&l, "last", or_null(h.last()));
            set(&l, "p50", or_null(h.percentile(50.0)));
            set(&l, "p99", or_null(h.percentile(99.0)));
            set(&l, "max", or_null(h.max()));
            set(&l, "count", h.count() as f64);
            set(&o, "captureToSendMs", l);
        }
        set(&o, "bufferedAmount", inner.link.buffered_amount() as f64);
        o.into()
    }
}

/// A call of the app on the stream, for [`Transcriber::with_stream`].
enum Call {
    Audio(Vec<u8>),
    KeepAlive,
    Finalize,
}

impl Transcriber {
    /// Makes `call` on the stream, then pumps; an enum rather than a closure so there is one copy of this.
    fn with_stream(&self, call: Call) -> Result<(), JsValue> {
        let result = {
            let mut inner = self.shared.inner.borrow_mut();
            match inner.stream.as_mut() {
                Some(s) => {
                    let now = now();
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

/// The message of a `configure()` rejected by the server's `ConfigureFailure`: its description when it has one.
fn configure_failure(raw: &JsValue) -> String {
    let field = |k: &str| {
        js_sys::Reflect::get(raw, &JsValue::from_str(k))
            .ok()
            .and_then(|v| v.as_string())
    };
    let why = field("description")
        .or_else(|| field("reason"))
        .or_else(|| field("message"))
        .unwrap_or_else(|| "no reason given (see the configureFailure event)".into());
    ["configure(): Deepgram refused the update: ", &why].concat()
}

/// Reads `configure(update)`: a plain copy, its keys checked, then the typed update.
fn read_configure(v: &JsValue) -> Result<ConfigureUpdate, String> {
    let bag = JsBag::copy(v, "update")?;
    match bag.keys().map_err(|e| e.to_string())? {
        Some(keys) => check_names(
            keys.iter().map(String::as_str),
            field_names::<ConfigureUpdate>(),
            "Configure",
        )
        .map_err(|e| e.to_string())?,
        None => {
            return Err("expected an object such as {keyterms: [\"Deepgram\"]}, got nothing".into())
        }
    }
    bag.read().map_err(|e| e.to_string())
}

/// `start(source)`'s argument.
#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct StartSource {
    #[serde(default, deserialize_with = "flag_or_checked")]
    microphone: FlagOr<MicrophoneOptions>,
    stream: Option<JsObject>,
    node: Option<JsObject>,
    audio_context: Option<JsObject>,
}

/// Reads `start(source)`: where captured audio comes from (`None`: the app sends audio itself).
fn parse_source(shared: &Rc<Shared>, v: &JsValue) -> Result<Option<CaptureSource>, String> {
    const PATH: &str = "start(source)";
    let bag = JsBag::copy(v, PATH)?;
    if let Some(keys) = bag.keys().map_err(|e| e.message_at(PATH))? {
        check_names(
            keys.iter().map(String::as_str),
            field_names::<StartSource>(),
            "source",
        )
        .map_err(|e| e.message_at(PATH))?;
    }
    let s: StartSource = bag.read().map_err(|e| e.message_at(PATH))?;
    let mic = s.microphone.flag == Some(true) || s.microphone.bag.is_some();
    let given = usize::from(mic) + usize::from(s.stream.is_some()) + usize::from(s.node.is_some());
    if given > 1 {
        return Err("start(source): give one of microphone, stream or node".into());
    }
    if let Some(ctx) = s.audio_context {
        let ctx: AudioContext = ctx.cast("start(source).audioContext", "AudioContext")?;
        shared.inner.borrow_mut().chain.context = Some(ctx);
    }
    if let Some(stream) = s.stream {
        let stream: MediaStream = stream.cast("start(source).stream", "MediaStream")?;
        return Ok(Some(CaptureSource::Stream(stream)));
    }
    if let Some(node) = s.node {
        let node: AudioNode = node.cast("start(source).node", "AudioNode")?;
        return Ok(Some(CaptureSource::Node(node)));
    }
    if !mic {
        return Ok(None);
    }
    let constraints = match &s.microphone.bag {
        Some(m) => Microphone::from_options(m),
        None => shared.inner.borrow().config.microphone.clone(),
    };
    Ok(Some(CaptureSource::Microphone(constraints)))
}

/// Creates the stream and its socket. With capture, raw PCM defaults are filled in (linear16, 16 kHz, mono)
/// unless the app chose an encoding.
fn open_stream(shared: &Rc<Shared>, capture: bool) -> Result<(), JsValue> {
    let weak = Rc::downgrade(shared);
    let mut inner = shared.inner.borrow_mut();
    if inner.stream.is_some() {
        return Err(js_error(
            ErrorKind::State,
            "start(): already started: create a new Transcriber for a new stream",
        ));
    }
    if capture {
        let format = inner.config.for_capture().map_err(|m| options_error(&m))?;
        inner.chain.format = Some(format);
    }
    let url = inner.config.options.to_url(&inner.config.endpoint);
    let protocols = inner.config.auth.subprotocols();
    inner
        .link
        .connect(CLASS, url, protocols, weak, on_socket_event, on_timer)?;
    inner.stream = Some(ListenStream::new(
        inner.config.listen.clone(),
        inner.config.reconnect,
    ));
    // Options Deepgram ignores or cannot use as set: warnings, delivered with the first events of the stream.
    let warnings = inner.config.options.warnings();
    drop(inner);
    let mut events = shared.events.borrow_mut();
    for w in warnings {
        events.push(Event::Warning, payload::warning(w.code, &w.message, None));
    }
    Ok(())
}

async fn start_capture(shared: &Rc<Shared>, source: CaptureSource) -> Result<(), String> {
    let (ctx, frame_ms, channels, worklet) = {
        let mut inner = shared.inner.borrow_mut();
        let ctx = match inner.chain.context.clone() {
            Some(c) => c,
            None => {
                let c = audio_context::create()?;
                inner.chain.context = Some(c.clone());
                inner.chain.own_context = true;
                c
            }
        };
        let channels = inner.chain.format.map_or(1, |f| f.channels);
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
        .stream
        .as_ref()
        .is_none_or(|s| s.state() == SessionState::Closed)
    {
        // Closed while the microphone was opening: release it at once.
        defer_drop(capture);
        return Ok(());
    }
    let Some(format) = inner.chain.format else {
        defer_drop(capture);
        return Ok(());
    };
    let encoder = CaptureEncoder::new(
        capture.sample_rate,
        format.rate,
        format.channels as usize,
        format.format,
    )
    .map_err(|e| e.to_string())?;
    let chain = &mut inner.chain;
    chain.sample_rate_in = capture.sample_rate;
    // VU-like: rises in 10 ms, falls over 300 ms, so a meter does not flicker to silence between words.
    chain.meter = LevelMeter::with_smoothing(capture.sample_rate, 0.01, 0.3)
        .unwrap_or_else(|_| LevelMeter::new());
    chain.encoder = Some(encoder);
    chain.capture = Some(capture);
    let mut watchdog = CaptureWatchdog::new(inner.config.capture_stall_ms);
    if watchdog.enabled() {
        watchdog.start(now());
        let weak = Rc::downgrade(shared);
        inner.chain.watch_timer = Some(Interval::new(watchdog.check_interval_ms(), move || {
            if let Some(shared) = weak.upgrade() {
                on_watch(&shared);
            }
        }));
        inner.chain.watchdog = Some(watchdog);
    }
    Ok(())
}

/// The watchdog's timer: a capture that stopped is a `capture_stalled` warning, and a `resume()` of a context
/// that is not running (Safari's `interrupted`, a system suspend).
fn on_watch(shared: &Rc<Shared>) {
    let stalled = {
        let Ok(mut guard) = shared.inner.try_borrow_mut() else {
            return;
        };
        let chain = &mut guard.chain;
        let (Some(capture), Some(ctx), Some(watchdog)) = (
            chain.capture.as_ref(),
            chain.context.as_ref(),
            chain.watchdog.as_mut(),
        ) else {
            return;
        };
        let health = CaptureHealth {
            context_state: audio_context::state_name(ctx),
            track_ended: capture.track_ended(),
        };
        let Some(Watch::Stalled { silent_ms, cause }) = watchdog.check(now(), &health) else {
            return;
        };
        let resume = health.context_state != "running" && health.context_state != "closed";
        if resume {
            let _ = ctx.resume();
        }
        format!(
            "no audio captured for {silent_ms:.0} ms: {}{}; the stream stays open on KeepAlives, and a \
             capture_resumed warning follows when audio comes back",
            cause.describe(),
            if resume { "; trying AudioContext.resume()" } else { "" }
        )
    };
    shared.events.borrow_mut().push(
        Event::Warning,
        payload::warning(warning_code::CAPTURE_STALLED, &stalled, None),
    );
    dispatch(&shared.events);
}

/// One 20 ms frame from the worklet: resample + encode in Rust, queue on the stream, pump.
fn on_captured(shared: &Rc<Shared>, frame: CapturedFrame<'_>) {
    let mut sent = false;
    let mut resumed = None;
    let level = {
        let Ok(mut guard) = shared.inner.try_borrow_mut() else {
            return;
        };
        let inner = &mut *guard;
        let chain = &mut inner.chain;
        let (Some(capture), Some(encoder)) = (chain.capture.as_ref(), chain.encoder.as_mut())
        else {
            return;
        };
        let frame_samples = capture.frame_samples as usize;
        let len = frame.samples.length() as usize;
        chain.scratch.resize(len, 0.0);
        frame.samples.copy_to(&mut chain.scratch);
        chain.stats.frames += 1;
        chain.stats.samples += frame_samples as u64;
        if let Some(Watch::Resumed { gap_ms }) =
            chain.watchdog.as_mut().and_then(|w| w.frame(now()))
        {
            resumed = Some(gap_ms);
        }
        let planar: Vec<&[f32]> = chain.scratch.chunks_exact(frame_samples.max(1)).collect();
        chain.encoded.clear();
        encoder.push_planar(&planar, &mut chain.encoded);
        chain.stats.bytes += chain.encoded.len() as u64;
        let now = now();
        // Every frame goes through the meter (its ballistics need them all); a reading goes out every 50 ms.
        let reading = planar.first().map(|ch| chain.meter.measure(ch));
        let level = if now - chain.last_level_ms >= LEVEL_INTERVAL_MS {
            chain.last_level_ms = now;
            reading
        } else {
            None
        };
        if chain.paused {
            chain.stats.paused_frames += 1;
        } else if !chain.encoded.is_empty() {
            let bytes = std::mem::take(&mut chain.encoded);
            if let Some(s) = inner.stream.as_mut() {
                // Sent on the socket by the pump below once open (queued before: that wait is not capture
                // latency, so only frames sent right away are timed).
                sent = s.send_audio(bytes, now).is_ok() && s.state() == SessionState::Open;
            }
        }
        level
    };
    if let Some(gap_ms) = resumed {
        let m = format!("audio is captured again after {gap_ms:.0} ms without any");
        shared.events.borrow_mut().push(
            Event::Warning,
            payload::warning(warning_code::CAPTURE_RESUMED, &m, None),
        );
    }
    if let Some(level) = level {
        let mut events = shared.events.borrow_mut();
        if events.has(Event::Level) {
            events.push(Event::Level, payload::level(&level));
        }
    }
    pump(shared);
    if sent && frame.posted_ms.is_finite() {
        if let Ok(mut inner) = shared.inner.try_borrow_mut() {
            let sent_now = js_sys::Date::now();
            inner.chain.stats.to_send.record(sent_now - frame.posted_ms);
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

impl HasStream for Inner {
    type Stream = ListenStream<JsValue>;
    fn parts(&mut self) -> (Option<&mut ListenStream<JsValue>>, &mut Link) {
        (self.stream.as_mut(), &mut self.link)
    }
}

/// Moves the stream's output to the socket, turns its events into JS events, re-arms the timer, then (with no
/// borrow held) settles promises, barges in and dispatches.
fn pump(shared: &Rc<Shared>) {
    let mut settle: Settle = Vec::new();
    let mut user_spoke = None;
    {
        let Ok(mut guard) = shared.inner.try_borrow_mut() else {
            return;
        };
        let inner = &mut *guard;
        let Ok(mut events) = shared.events.try_borrow_mut() else {
            return;
        };
        let now = now();
        let mut closed = false;
        if let Some(stream) = inner.stream.as_mut() {
            stream.set_socket_buffered(inner.link.buffered_amount());
            inner.link.transmit(stream, &mut events, now);
            while let Some(ev) = stream.poll_event() {
                if is_user_speech(&ev) {
                    user_spoke = inner.on_user_speech.clone();
                }
                match ev {
                    ListenEvent::Open => inner.link.opened(&mut events, &mut settle),
                    ListenEvent::Transcript { raw, .. } => events.push(Event::Transcript, raw),
                    ListenEvent::Metadata { raw, .. } => events.push(Event::Metadata, raw),
                    ListenEvent::UtteranceEnd { raw, .. } => events.push(Event::UtteranceEnd, raw),
                    ListenEvent::SpeechStarted { raw, .. } => {
                        events.push(Event::SpeechStarted, raw)
                    }
                    ListenEvent::ServerError { error, raw } => {
                        events.push(Event::Error, payload::server_error(&error, raw))
                    }
                    ListenEvent::Unhandled { raw, .. } => events.push(Event::Unhandled, raw),
                    ListenEvent::ConfigureSuccess { raw } => {
                        if let Some((resolve, _)) = inner.configure_waiters.pop_front() {
                            settle.push((resolve, raw.clone()));
                        }
                        events.push(Event::ConfigureSuccess, raw);
                    }
                    ListenEvent::ConfigureFailure { raw } => {
                        if let Some((_, reject)) = inner.configure_waiters.pop_front() {
                            let e = js_error(ErrorKind::Server, &configure_failure(&raw));
                            settle.push((reject, e));
                        }
                        events.push(Event::ConfigureFailure, raw);
                    }
                    ListenEvent::ProtocolError(e) => events.push(
                        Event::Error,
                        error_payload(ErrorKind::Protocol, &e.to_string()),
                    ),
                    ListenEvent::Warning { code, message } => {
                        events.push(Event::Warning, payload::warning(code, &message, None))
                    }
                    ListenEvent::FinalizeTimeout => events.push(
                        Event::Warning,
                        payload::warning(
                            "finalize_timeout",
                            "no result with from_finalize arrived after finalize(): the server may have had \
                             nothing buffered",
                            None,
                        ),
                    ),
                    ListenEvent::Reconnecting {
                        attempt,
                        delay_ms,
                        close,
                    } => {
                        // The socket that dropped is done; the stream asks for a new one after the delay.
                        inner.link.socket_gone();
                        // Its Configures are lost with it: the new connection has the options of start().
                        for (_, reject) in inner.configure_waiters.drain(..) {
                            let e = js_error(
                                ErrorKind::Network,
                                "configure(): the connection dropped before Deepgram answered; the new \
                                 connection has the options the stream started with: call configure() again \
                                 after reconnected",
                            );
                            settle.push((reject, e));
                        }
                        let o = Object::new();
                        set(&o, "attempt", attempt);
                        set(&o, "delayMs", delay_ms as f64);
                        set(&o, "code", close.code);
                        set(&o, "reason", close.reason.as_str());
                        set(&o, "explanation", close.kind.explain());
                        events.push(Event::Reconnecting, o.into());
                    }
                    ListenEvent::Reconnected {
                        attempt,
                        time_offset,
                        replayed_ms,
                    } => {
                        let o = Object::new();
                        set(&o, "attempt", attempt);
                        set(&o, "timeOffset", or_null(time_offset));
                        set(&o, "replayedMs", or_null(replayed_ms));
                        events.push(Event::Reconnected, o.into());
                    }
                    ListenEvent::Close(info) => {
                        closed = true;
                        inner.link.closed(&info, &mut events, &mut settle);
                        let metadata = stream.metadata().map(|(_, raw)| raw.clone());
                        let explanation = info.kind.explain();
                        for (_, reject) in inner.configure_waiters.drain(..) {
                            let m = ["configure(): the stream closed before Deepgram answered: ", explanation]
                                .concat();
                            settle.push((reject, js_error(ErrorKind::Network, &m)));
                        }
                        for (resolve, reject) in inner.close_waiters.drain(..) {
                            match &metadata {
                                Some(m) => settle.push((resolve, m.clone())),
                                None => settle.push((
                                    reject,
                                    js_error(
                                        ErrorKind::Network,
                                        &format!(
                                            "the stream closed without final Metadata: {explanation}"
                                        ),
                                    ),
                                )),
                            }
                        }
                    }
                }
            }
            if !closed {
                inner.link.arm(stream.next_timeout(), now);
            }
        }
        if closed {
            stop_capture(&mut inner.chain);
        }
    }
    connection::settle(settle);
    if let Some(f) = user_spoke {
        f();
    }
    dispatch(&shared.events);
}

/// `close()`: the stream ends at once, capture stops.
fn close_now(shared: &Rc<Shared>) {
    {
        let mut inner = shared.inner.borrow_mut();
        stop_capture(&mut inner.chain);
        if let Some(s) = inner.stream.as_mut() {
            s.close(now());
        }
    }
    pump(shared);
}

/// Releases the microphone and the audio graph (deferred: we may be inside the worklet's message callback).
fn stop_capture(chain: &mut CaptureChain) {
    if let Some(c) = chain.capture.take() {
        defer_drop(c);
    }
    chain.watchdog = None;
    if let Some(t) = chain.watch_timer.take() {
        defer_drop(t);
    }
    chain.encoder = None;
    if let Some(ctx) = chain.context.take() {
        if chain.own_context {
            let _ = ctx.close();
        }
    }
}

fn close_with_error(shared: &Rc<Shared>, kind: ErrorKind, message: &str) {
    shared
        .events
        .borrow_mut()
        .push(Event::Error, error_payload(kind, message));
    {
        let mut inner = shared.inner.borrow_mut();
        stop_capture(&mut inner.chain);
        if let Some(s) = inner.stream.as_mut() {
            s.close(now());
        }
    }
    pump(shared);
}
