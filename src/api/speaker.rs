//! `Speaker`: text → live text-to-speech over `/v1/speak` → the playback AudioWorklet, with instant `clear()`.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt::Display;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{AudioContext, AudioNode};

use super::connection::{self, HasSession, Link};
use super::errors::{error_payload, js_error, state_error, ErrorKind};
use super::events::{dispatch, subscribe, unsubscribe, EventHub};
use super::js_options::{endpoint_and_auth, parse_json, JsOptions};
use super::payload::{self, set};
use crate::audio::{Playout, PlayoutConfig, PlayoutEvent, SampleFormat, WorkletReport};
use crate::protocol::json::format_number;
use crate::protocol::{
    Auth, Endpoint, SessionState, SpeakConfig, SpeakEncoding, SpeakEvent, SpeakOptions,
    SpeakSession,
};
use crate::web::clock::{now_ms, now_precise_ms};
use crate::web::playback::{PlaybackNode, PlaybackParams};
use crate::web::socket::SocketEvent;
use crate::web::worklet::WorkletSource;
use crate::web::{audio_context, defer_drop, set_field};

/// The events a `Speaker` emits.
pub const SPEAKER_EVENTS: &[&str] = &[
    "open",
    "close",
    "error",
    "metadata",
    "audio",
    "flushed",
    "cleared",
    "warning",
    "playbackStart",
    "playbackEnd",
    "unhandled",
    "reconnecting",
    "reconnected",
];

const CLASS: &str = "Speaker";
/// Blocks posted to the worklet.
const BLOCK_MS: u32 = 20;
/// The fade on `clear()`: long enough to avoid a click, short enough that the output is silent within one
/// browser render burst plus a few ms.
const DEFAULT_FADE_MS: f64 = 3.0;

/// Live text-to-speech: `new Speaker({baseUrl, auth, options})`, `speak(text)`, `flush()`, `clear()`.
#[wasm_bindgen]
pub struct Speaker {
    pub(crate) shared: Rc<SpeakerShared>,
}

pub(crate) struct SpeakerShared {
    inner: RefCell<Inner>,
    pub(crate) events: RefCell<EventHub>,
}

struct Config {
    endpoint: Endpoint,
    auth: Auth,
    options: SpeakOptions,
    speak: SpeakConfig,
    playback: bool,
    volume: f32,
    pre_roll_ms: u32,
    fade_ms: f64,
    buffer_ms: u32,
    worklet: WorkletSource,
    destination: Option<AudioNode>,
}

/// A clear waiting for both halves: the server's `Cleared` and the worklet's report of what was heard.
struct ClearRecord {
    generation: u32,
    /// The server's frame, the audio bytes discarded until it came, and what `clear()` returned.
    server: Option<(String, u64, Option<u32>)>,
    /// Interrupted segment's Flush, samples of it played, samples discarded, context frame of silence.
    worklet: Option<(Option<u32>, u64, u64, f64)>,
}

struct Inner {
    config: Config,
    session: Option<SpeakSession>,
    link: Link,
    context: Option<AudioContext>,
    own_context: bool,
    playout: Option<Playout>,
    node: Option<PlaybackNode>,
    starting: bool,
    close_waiters: Vec<(Function, Function)>,
    clears: VecDeque<ClearRecord>,
    sample_rate: u32,
    clear_started_ms: Option<f64>,
    last_clear_latency_ms: Option<f64>,
    last_first_audio_ms: Option<f64>,
    /// The app called `close()`: no reconnecting, audio torn down.
    app_closed: bool,
    /// Playout generation when the current connection opened (each connection counts clears from 0).
    generation_base: u32,
    /// Tickets of earlier connections (each counts from 1), so tickets stay unique across reconnects.
    ticket_base: u64,
    /// Connections opened.
    connections: u32,
}

/// The keys of the Speaker's options bag.
pub(crate) const SPEAKER_KEYS: &[&str] = &[
    "baseUrl",
    "auth",
    "options",
    "playback",
    "volume",
    "preRollMs",
    "clearFadeMs",
    "bufferMs",
    "closeTimeoutMs",
    "worklet",
    "destination",
];

/// Reads the options (keys already checked); the speak query options are under `options_key`. Errors are
/// recorded in `o` (the config is then incomplete and must not be used).
fn parse_config(o: &mut JsOptions<'_>, options_key: &str) -> Config {
    let (endpoint, auth) = endpoint_and_auth(o);
    let options = match o.json(options_key) {
        Some(v) => o.check(options_key, SpeakOptions::from_json(&v)),
        None => SpeakOptions::default(),
    };
    let playback = o.bool("playback").unwrap_or(true);
    let encoding = options.effective_encoding();
    if playback
        && !matches!(
            encoding,
            SpeakEncoding::Linear16 | SpeakEncoding::Mulaw | SpeakEncoding::Alaw
        )
    {
        o.fail_at(
            &[options_key, ".encoding"].concat(),
            &["\"", encoding.as_str(), "\" cannot be played by the playback worklet: use linear16 (default), mulaw or alaw, or set playback: false and play the audio events yourself"].concat(),
        );
    }
    let mut speak = SpeakConfig {
        encoding,
        ..SpeakConfig::default()
    };
    if let Some(v) = o.int("closeTimeoutMs", 100, 120_000) {
        speak.close_timeout_ms = v;
    }
    let volume = o.number("volume", 0.0, 10.0).unwrap_or(1.0);
    let pre_roll_ms = o.int("preRollMs", 0, 1000).unwrap_or(60) as u32;
    let fade_ms = o
        .number("clearFadeMs", 0.5, 10.0)
        .unwrap_or(DEFAULT_FADE_MS);
    let buffer_ms = o.int("bufferMs", 200, 60_000).unwrap_or(2000) as u32;
    if u64::from(pre_roll_ms) * 2 > u64::from(buffer_ms) {
        o.fail_at(
            "preRollMs",
            &[
                &format_number(f64::from(pre_roll_ms)),
                " ms of pre-roll needs bufferMs of at least ",
                &format_number(f64::from(pre_roll_ms * 2)),
                " ms",
            ]
            .concat(),
        );
    }
    let worklet = o.worklet("playback-processor.js");
    // Must belong to the same AudioContext (connecting says so otherwise).
    let destination = o.object::<AudioNode>("destination", "AudioNode");
    Config {
        endpoint,
        auth,
        options,
        speak,
        playback,
        volume: volume as f32,
        pre_roll_ms,
        fade_ms,
        buffer_ms,
        worklet,
        destination,
    }
}

#[wasm_bindgen]
impl Speaker {
    /// Validates the options synchronously; throws an `Error` (with `kind: "options"`) naming the bad field.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Speaker, JsValue> {
        let mut o = JsOptions::new(&options, CLASS);
        let mut keys = SPEAKER_KEYS.to_vec();
        keys.push("audioContext");
        o.only(&keys);
        let config = parse_config(&mut o, "options");
        let context = o.object::<AudioContext>("audioContext", "AudioContext");
        o.finish().map_err(|m| js_error(ErrorKind::Options, &m))?;
        Ok(Speaker::from_config(config, context))
    }

    /// Subscribes `handler` to `event`; returns `this` for chaining.
    pub fn on(&self, event: &str, handler: Function) -> Result<Speaker, JsValue> {
        subscribe(&self.shared.events, event, handler)?;
        Ok(Speaker {
            shared: self.shared.clone(),
        })
    }

    /// Unsubscribes `handler` (or every handler of `event` when omitted).
    pub fn off(&self, event: &str, handler: Option<Function>) -> Result<(), JsValue> {
        unsubscribe(&self.shared.events, event, handler)
    }

    /// Opens the connection and the audio output; resolves once the server accepted the connection and the
    /// playback worklet runs. Optional: `speak()` starts it on first use. Call it from a click or key handler
    /// when the page has not had a user gesture yet (browsers keep audio suspended until then).
    pub fn start(&self) -> Promise {
        let shared = self.shared.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let opened = {
                begin(&shared)?;
                wait_open(&shared)
            };
            start_audio(&shared).await?;
            wasm_bindgen_futures::JsFuture::from(opened).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Queues text to synthesize (split at sentence ends past 2,000 characters, order kept). Starts the
    /// connection if needed.
    pub fn speak(&self, text: &str) -> Result<(), JsValue> {
        self.ensure_started()?;
        with_session(&self.shared, Some(text)).map(|_| ())
    }

    /// Asks the server to synthesize everything queued; returns the `sequence_id` its `flushed` (and the
    /// segment's `playbackEnd`) will carry.
    pub fn flush(&self) -> Result<u32, JsValue> {
        self.ensure_started()?;
        let id = with_session(&self.shared, None)?;
        {
            let mut inner = self.shared.inner.borrow_mut();
            let ticket =
                inner.ticket_base + inner.session.as_ref().map_or(0, SpeakSession::last_ticket);
            if let Some(p) = inner.playout.as_mut() {
                p.expect_flush(id, ticket);
            }
        }
        pump(&self.shared);
        Ok(id)
    }

    /// Barge-in: silences playback within one render quantum plus a fade of at most 10 ms, discards audio still
    /// in flight, and tells the server to drop its buffers. Returns the `sequence_id` of the `cleared` event.
    pub fn clear(&self) -> Result<u32, JsValue> {
        clear_shared(&self.shared)
    }

    /// Ends the connection (sends Close) and stops playback; resolves once the server closed and the audio is
    /// torn down. To let speech finish first, await `playbackEnd` for your last flush.
    pub fn close(&self) -> Promise {
        close_shared(&self.shared)
    }

    /// Output gain (1 = as received). Setting it applies at once.
    #[wasm_bindgen(getter)]
    pub fn volume(&self) -> f32 {
        self.shared.inner.borrow().config.volume
    }

    /// Sets the output gain (0 to 10).
    #[wasm_bindgen(setter)]
    pub fn set_volume(&self, volume: f32) -> Result<(), JsValue> {
        if !volume.is_finite() || !(0.0..=10.0).contains(&volume) {
            return Err(js_error(
                ErrorKind::Options,
                "Speaker.volume: expected a number from 0 to 10",
            ));
        }
        let mut inner = self.shared.inner.borrow_mut();
        inner.config.volume = volume;
        if let Some(n) = inner.node.as_ref() {
            n.set_volume(volume);
        }
        Ok(())
    }

    /// Plays through the output device `sinkId` (from `navigator.mediaDevices.enumerateDevices()`), where the
    /// browser supports `AudioContext.setSinkId` (Chrome, Edge). Note that routing Web Audio to another device
    /// can bypass the microphone's echo cancellation.
    #[wasm_bindgen(js_name = setSinkId)]
    pub fn set_sink_id(&self, sink_id: &str) -> Promise {
        let ctx = self.shared.inner.borrow().context.clone();
        let sink = JsValue::from_str(sink_id);
        wasm_bindgen_futures::future_to_promise(async move {
            let ctx = ctx.ok_or_else(|| {
                js_error(
                    ErrorKind::State,
                    "setSinkId(): no audio output yet: call start() first",
                )
            })?;
            let f = Reflect::get(&ctx, &"setSinkId".into())?;
            let f: Function = f.dyn_into().map_err(|_| {
                js_error(
                    ErrorKind::Audio,
                    "setSinkId(): this browser cannot choose the output device (AudioContext.setSinkId is missing)",
                )
            })?;
            let p: Promise = f.call1(&ctx, &sink)?.dyn_into()?;
            wasm_bindgen_futures::JsFuture::from(p).await
        })
    }

    /// The AudioContext playback runs in (after `start()` or the first `speak()`), e.g. to share it.
    #[wasm_bindgen(getter, js_name = audioContext)]
    pub fn audio_context(&self) -> Option<AudioContext> {
        self.shared.inner.borrow().context.clone()
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
                .map(SpeakSession::state),
        )
        .into()
    }

    /// Whether audio of the current generation is queued or playing.
    #[wasm_bindgen(getter)]
    pub fn playing(&self) -> bool {
        is_playing(&self.shared)
    }

    /// Counters: messages sent, audio received / discarded, samples posted and played, underruns, latencies.
    pub fn stats(&self) -> JsValue {
        let inner = self.shared.inner.borrow();
        let o = Object::new();
        if let Some(s) = inner.session.as_ref() {
            let st = s.stats();
            set(&o, "speakMessages", st.speak_messages_sent as f64);
            set(&o, "flushes", st.flushes_sent as f64);
            set(&o, "clears", st.clears_sent as f64);
            set(&o, "receivedFrames", st.audio_frames_received as f64);
            set(&o, "receivedBytes", st.audio_bytes_received as f64);
            set(&o, "discardedBytes", st.audio_bytes_discarded as f64);
            set(&o, "localFlushWarnings", st.local_flush_warnings as f64);
        }
        if let Some(p) = inner.playout.as_ref() {
            let st = p.stats();
            set(&o, "postedSamples", st.samples_posted as f64);
            set(&o, "playedSamples", st.samples_played as f64);
            set(&o, "bufferedSamples", st.samples_buffered as f64);
            set(&o, "backlogBytes", st.backlog_bytes as f64);
            set(&o, "underruns", st.underruns as f64);
            set(&o, "overflowSamples", st.overflow_samples as f64);
        }
        set(&o, "sampleRate", inner.sample_rate);
        if let Some(v) = inner.last_clear_latency_ms {
            set(&o, "lastClearMs", v);
        }
        if let Some(v) = inner.last_first_audio_ms {
            set(&o, "lastFirstAudioMs", v);
        }
        o.into()
    }
}

impl Speaker {
    /// A Speaker for `VoiceSession`: its options bag `o` (keys already checked), speak options under
    /// `options_key`, playing in `context` (which the session owns). Errors are recorded in `o`: only use the
    /// Speaker once `o` finished without one.
    pub(crate) fn for_session(
        o: &mut JsOptions<'_>,
        options_key: &str,
        context: Option<AudioContext>,
    ) -> Speaker {
        Speaker::from_config(parse_config(o, options_key), context)
    }

    /// Plays in `ctx` (a `VoiceSession`'s); only before the Speaker started.
    pub(crate) fn set_context(&self, ctx: AudioContext) {
        let mut inner = self.shared.inner.borrow_mut();
        if inner.session.is_none() {
            inner.context = Some(ctx);
            inner.own_context = false;
        }
    }

    fn from_config(config: Config, context: Option<AudioContext>) -> Speaker {
        let inner = Inner {
            config,
            session: None,
            link: Link::default(),
            own_context: false,
            context,
            playout: None,
            node: None,
            starting: false,
            close_waiters: Vec::new(),
            clears: VecDeque::new(),
            sample_rate: 0,
            clear_started_ms: None,
            last_clear_latency_ms: None,
            last_first_audio_ms: None,
            app_closed: false,
            generation_base: 0,
            ticket_base: 0,
            connections: 0,
        };
        Speaker {
            shared: Rc::new(SpeakerShared {
                inner: RefCell::new(inner),
                events: RefCell::new(EventHub::new(SPEAKER_EVENTS)),
            }),
        }
    }

    /// Starts the connection and the audio (in the background) unless already started.
    fn ensure_started(&self) -> Result<(), JsValue> {
        {
            let inner = self.shared.inner.borrow();
            match inner.session.as_ref().map(SpeakSession::state) {
                None => {}
                // The server (or the network) ended the last connection, not the app: open a new one; playback
                // carries on in the same worklet.
                Some(SessionState::Closed) if !inner.app_closed => {}
                Some(_) => return Ok(()),
            }
        }
        begin(&self.shared)?;
        let shared = self.shared.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = start_audio(&shared).await {
                let _ = e;
            }
        });
        Ok(())
    }
}

/// Whether audio of the current generation is queued or playing.
pub(crate) fn is_playing(shared: &Rc<SpeakerShared>) -> bool {
    shared
        .inner
        .try_borrow()
        .ok()
        .and_then(|i| i.playout.as_ref().map(Playout::is_active))
        .unwrap_or(false)
}

/// `speak(text)` (`Some`) or `flush()` (`None`, giving its sequence id) on the session, then a pump: one copy for
/// both.
fn with_session(shared: &Rc<SpeakerShared>, speak: Option<&str>) -> Result<u32, JsValue> {
    let result = {
        let mut inner = shared.inner.borrow_mut();
        match inner.session.as_mut() {
            Some(s) => {
                let now = now_ms();
                match speak {
                    Some(text) => s.speak(text, now).map(|()| 0),
                    None => s.flush(now),
                }
                .map_err(Some)
            }
            None => Err(None),
        }
    };
    pump(shared);
    result.map_err(|e| state_error(CLASS, e.as_ref().map(|e| e as &dyn Display)))
}

pub(crate) fn clear_shared(shared: &Rc<SpeakerShared>) -> Result<u32, JsValue> {
    let id = {
        let mut inner = shared.inner.borrow_mut();
        let now = now_ms();
        let id = match inner.session.as_mut() {
            Some(s) => s.clear(now).map_err(|e| state_error(CLASS, Some(&e)))?,
            None => {
                return Err(js_error(
                    ErrorKind::State,
                    "clear(): not started: call start() or speak() first",
                ))
            }
        };
        let generation = inner.playout.as_mut().map(Playout::clear);
        let playback = inner.config.playback;
        inner.clears.push_back(ClearRecord {
            generation: generation.unwrap_or(0),
            server: None,
            // Without playback nothing was heard here: the server's Cleared is all there is to wait for.
            worklet: if playback {
                None
            } else {
                Some((None, 0, 0, f64::NAN))
            },
        });
        inner.clear_started_ms = Some(now_precise_ms());
        id
    };
    pump(shared);
    Ok(id)
}

pub(crate) fn close_shared(shared: &Rc<SpeakerShared>) -> Promise {
    let mut waiter = None;
    let promise = Promise::new(&mut |resolve, reject| waiter = Some((resolve, reject)));
    {
        let mut inner = shared.inner.borrow_mut();
        inner.app_closed = true;
        let now = now_ms();
        match inner.session.as_mut() {
            Some(s) if s.state() != SessionState::Closed => {
                s.close(now);
                if let Some(w) = waiter.take() {
                    inner.close_waiters.push(w);
                }
            }
            _ => {
                teardown_audio(&mut inner);
            }
        }
    }
    pump(shared);
    if let Some((resolve, _)) = waiter {
        let _ = resolve.call0(&JsValue::UNDEFINED);
    }
    promise
}

/// Creates the session and the socket (and, with playback, the AudioContext so the rate is known).
fn begin(shared: &Rc<SpeakerShared>) -> Result<(), JsValue> {
    let weak = Rc::downgrade(shared);
    let mut inner = shared.inner.borrow_mut();
    let reconnect = inner
        .session
        .as_ref()
        .is_some_and(|s| s.state() == SessionState::Closed && !inner.app_closed);
    if inner.session.is_some() && !reconnect {
        return Err(js_error(
            ErrorKind::State,
            "start(): already started: create a new Speaker for a new connection",
        ));
    }
    if let Some(old) = inner.session.take() {
        inner.ticket_base += old.last_ticket();
    }
    inner.generation_base = inner.playout.as_ref().map_or(0, Playout::generation);
    inner.connections += 1;
    if reconnect {
        let o = Object::new();
        set(&o, "attempt", inner.connections - 1);
        shared.events.borrow_mut().push("reconnecting", o.into());
    }
    if inner.config.playback && inner.playout.is_none() {
        let ctx = match inner.context.clone() {
            Some(c) => c,
            None => {
                let c = audio_context::create().map_err(|m| js_error(ErrorKind::Audio, &m))?;
                inner.own_context = true;
                inner.context = Some(c.clone());
                c
            }
        };
        let rate = ctx.sample_rate().round() as u32;
        let format = match inner.config.options.effective_encoding() {
            SpeakEncoding::Mulaw => SampleFormat::Mulaw,
            SpeakEncoding::Alaw => SampleFormat::Alaw,
            _ => SampleFormat::Linear16,
        };
        let block = (rate * BLOCK_MS / 1000).max(128) as usize;
        let capacity = (u64::from(rate) * u64::from(inner.config.buffer_ms) / 1000) as usize;
        let playout = Playout::new(
            format,
            inner.config.options.effective_sample_rate(),
            rate,
            PlayoutConfig {
                block_samples: block,
                // Leave room for a segment's tail, which goes out whole.
                ahead_samples: capacity.saturating_sub(2 * block).max(block),
            },
        )
        .map_err(|e| js_error(ErrorKind::Options, &format!("{CLASS} options: {e}")))?;
        inner.playout = Some(playout);
        inner.sample_rate = rate;
    }
    let url = inner.config.options.to_url(&inner.config.endpoint);
    let protocols = inner.config.auth.subprotocols();
    inner
        .link
        .connect(CLASS, &url, &protocols, weak, on_socket_event, on_timer)?;
    inner.session = Some(SpeakSession::new(inner.config.speak.clone()));
    Ok(())
}

fn wait_open(shared: &Rc<SpeakerShared>) -> Promise {
    shared.inner.borrow_mut().link.wait_open()
}

/// Resumes the context and builds the playback node (once). Errors are also reported as `error` events.
async fn start_audio(shared: &Rc<SpeakerShared>) -> Result<(), JsValue> {
    let (ctx, params, volume, worklet, destination) = {
        let mut inner = shared.inner.borrow_mut();
        if !inner.config.playback || inner.starting || inner.node.is_some() {
            return Ok(());
        }
        let Some(ctx) = inner.context.clone() else {
            return Ok(());
        };
        inner.starting = true;
        let rate = f64::from(inner.sample_rate);
        let params = PlaybackParams {
            capacity: (rate * f64::from(inner.config.buffer_ms) / 1000.0) as u32,
            pre_roll: (rate * f64::from(inner.config.pre_roll_ms) / 1000.0) as u32,
            fade: ((rate * inner.config.fade_ms / 1000.0) as u32).max(1),
            report_every: (rate * f64::from(BLOCK_MS) / 1000.0) as u32,
        };
        (
            ctx,
            params,
            inner.config.volume,
            inner.config.worklet.clone(),
            inner.config.destination.clone(),
        )
    };
    let result = async {
        audio_context::resume(&ctx).await?;
        let weak = Rc::downgrade(shared);
        let on_report: Rc<dyn Fn(WorkletReport)> = Rc::new(move |r| {
            if let Some(shared) = weak.upgrade() {
                on_worklet(&shared, r);
            }
        });
        PlaybackNode::start(
            &ctx,
            destination.as_ref(),
            params,
            volume,
            &worklet,
            on_report,
        )
        .await
    }
    .await;
    let failed = {
        let mut inner = shared.inner.borrow_mut();
        inner.starting = false;
        match result {
            Ok(node) => {
                if inner
                    .session
                    .as_ref()
                    .is_none_or(|s| s.state() == SessionState::Closed)
                {
                    defer_drop(node);
                } else {
                    inner.node = Some(node);
                }
                None
            }
            Err(m) => Some(m),
        }
    };
    if let Some(m) = failed {
        shared
            .events
            .borrow_mut()
            .push("error", error_payload(ErrorKind::Audio, &m));
        {
            let mut inner = shared.inner.borrow_mut();
            let now = now_ms();
            if let Some(s) = inner.session.as_mut() {
                s.close(now);
            }
        }
        pump(shared);
        return Err(js_error(ErrorKind::Audio, &m));
    }
    pump(shared);
    Ok(())
}

fn on_socket_event(shared: &Rc<SpeakerShared>, ev: SocketEvent) {
    connection::on_socket_event(&shared.inner, ev);
    pump(shared);
}

fn on_timer(shared: &Rc<SpeakerShared>) {
    connection::on_timer(&shared.inner);
    pump(shared);
}

impl HasSession for Inner {
    type Session = SpeakSession;
    fn parts(&mut self) -> (Option<&mut SpeakSession>, &mut Link) {
        (self.session.as_mut(), &mut self.link)
    }
}

fn on_worklet(shared: &Rc<SpeakerShared>, report: WorkletReport) {
    {
        let Ok(mut inner) = shared.inner.try_borrow_mut() else {
            return;
        };
        let now = now_precise_ms();
        if let WorkletReport::Cleared { .. } = report {
            if let Some(t) = inner.clear_started_ms.take() {
                inner.last_clear_latency_ms = Some((now - t).max(0.0));
            }
        }
        if let Some(p) = inner.playout.as_mut() {
            p.on_report(report, now);
        }
    }
    pump(shared);
}

fn teardown_audio(inner: &mut Inner) {
    if let Some(n) = inner.node.take() {
        defer_drop(n);
    }
    if let Some(ctx) = inner.context.take() {
        if inner.own_context {
            let _ = ctx.close();
        }
    }
}

/// Emits the `cleared` events whose two halves are both in.
fn settle_clears(inner: &mut Inner, events: &mut EventHub, force: bool) {
    while let Some(front) = inner.clears.front() {
        if !force && (front.server.is_none() || front.worklet.is_none()) {
            return;
        }
        let Some(rec) = inner.clears.pop_front() else {
            return;
        };
        let Some((raw, discarded_bytes, predicted)) = rec.server else {
            continue;
        };
        let payload = parse_json(&raw);
        let (interrupted, played, discarded_samples, frame) =
            rec.worklet.unwrap_or((None, 0, 0, f64::NAN));
        if payload.is_object() {
            let o: &Object = payload.unchecked_ref();
            let rate = f64::from(inner.sample_rate.max(1));
            set(o, "playedSamples", played as f64);
            set(o, "playedMs", played as f64 * 1000.0 / rate);
            set(o, "sampleRate", inner.sample_rate);
            set(
                o,
                "interruptedSequenceId",
                interrupted.map_or(JsValue::NULL, JsValue::from),
            );
            set(o, "discardedBytes", discarded_bytes as f64);
            set(o, "discardedSamples", discarded_samples as f64);
            set(o, "generation", rec.generation);
            if frame.is_finite() {
                set(o, "silentAt", frame / rate);
            }
            set(
                o,
                "predictedSequenceId",
                predicted.map_or(JsValue::NULL, JsValue::from),
            );
        }
        events.push("cleared", payload);
    }
}

/// Moves the session's output to the socket and the playout's commands to the worklet, turns events into JS
/// events, re-arms the timer; then (with no borrow held) dispatches.
fn pump(shared: &Rc<SpeakerShared>) {
    let mut settle: Vec<(Function, JsValue)> = Vec::new();
    {
        let Ok(mut guard) = shared.inner.try_borrow_mut() else {
            return;
        };
        let inner = &mut *guard;
        let now = now_ms();
        let Ok(mut events) = shared.events.try_borrow_mut() else {
            return;
        };
        let mut closed = None;
        if let Some(session) = inner.session.as_mut() {
            inner.link.transmit(session, &mut events, now);
            while let Some(ev) = session.poll_event() {
                match ev {
                    SpeakEvent::Open => {
                        inner.link.opened(&mut events, &mut settle);
                        if inner.connections > 1 {
                            let o = Object::new();
                            set(&o, "attempt", inner.connections - 1);
                            events.push("reconnected", o.into());
                        }
                    }
                    SpeakEvent::Metadata(m) => events.push("metadata", parse_json(m.raw())),
                    SpeakEvent::Audio { bytes, generation } => {
                        if events.has("audio") {
                            let o = Object::new();
                            set(&o, "data", js_sys::Uint8Array::from(bytes.as_slice()));
                            set(&o, "generation", generation);
                            set(
                                &o,
                                "encoding",
                                inner.config.options.effective_encoding().as_str(),
                            );
                            set(
                                &o,
                                "sampleRate",
                                inner.config.options.effective_sample_rate(),
                            );
                            events.push("audio", o.into());
                        }
                        let expected = inner.generation_base.wrapping_add(generation);
                        if let Some(p) = inner.playout.as_mut() {
                            if p.generation() == expected {
                                p.push_audio(bytes, now_precise_ms());
                            }
                        }
                    }
                    SpeakEvent::Flushed {
                        sequence_id,
                        ticket,
                        raw,
                        ..
                    } => {
                        let ticket = ticket.map(|t| t + inner.ticket_base);
                        if let Some(p) = inner.playout.as_mut() {
                            p.end_segment(ticket, sequence_id);
                        }
                        events.push("flushed", parse_json(&raw));
                    }
                    SpeakEvent::Cleared {
                        discarded_bytes,
                        raw,
                        predicted_sequence_id,
                        ..
                    } => {
                        if let Some(rec) = inner.clears.iter_mut().find(|r| r.server.is_none()) {
                            rec.server = Some((raw, discarded_bytes, predicted_sequence_id));
                        }
                    }
                    SpeakEvent::Warning { code, message, raw } => {
                        let w = payload::warning(&code, &message);
                        if let Some(raw) = raw {
                            set_field(&w, "server", parse_json(&raw));
                        }
                        events.push("warning", w);
                    }
                    SpeakEvent::ServerError(e) => {
                        events.push("error", payload::server_error(e.raw()));
                    }
                    SpeakEvent::Unhandled(raw) => events.push("unhandled", parse_json(&raw)),
                    SpeakEvent::ProtocolError { message, .. } => {
                        events.push("error", error_payload(ErrorKind::Protocol, &message));
                    }
                    SpeakEvent::Close(info) => closed = Some(info),
                }
            }
        }
        if let (Some(p), Some(node)) = (inner.playout.as_mut(), inner.node.as_ref()) {
            while let Some(c) = p.poll_command() {
                let _ = node.post(c);
            }
        }
        if let Some(p) = inner.playout.as_mut() {
            let rate = f64::from(inner.sample_rate.max(1));
            while let Some(ev) = p.poll_event() {
                match ev {
                    PlayoutEvent::Started {
                        sequence_id,
                        latency_ms,
                        frame,
                        ..
                    } => {
                        if latency_ms.is_some() {
                            inner.last_first_audio_ms = latency_ms;
                        }
                        let o = Object::new();
                        set(&o, "sequenceId", sequence_id.map_or(JsValue::NULL, JsValue::from));
                        set(&o, "latencyMs", latency_ms.map_or(JsValue::NULL, JsValue::from));
                        set(&o, "contextTime", frame / rate);
                        events.push("playbackStart", o.into());
                    }
                    PlayoutEvent::Ended {
                        sequence_id,
                        played_samples,
                        frame,
                        ..
                    } => {
                        let o = Object::new();
                        set(&o, "sequenceId", sequence_id.map_or(JsValue::NULL, JsValue::from));
                        set(&o, "playedSamples", played_samples as f64);
                        set(&o, "durationMs", played_samples as f64 * 1000.0 / rate);
                        set(&o, "sampleRate", inner.sample_rate);
                        set(&o, "contextTime", frame / rate);
                        events.push("playbackEnd", o.into());
                    }
                    PlayoutEvent::Cleared {
                        generation,
                        sequence_id,
                        played_samples,
                        discarded_samples,
                        frame,
                    } => {
                        if let Some(rec) = inner
                            .clears
                            .iter_mut()
                            .find(|r| r.generation == generation && r.worklet.is_none())
                        {
                            rec.worklet =
                                Some((sequence_id, played_samples, discarded_samples, frame));
                        }
                    }
                    PlayoutEvent::Underrun { sequence_id, .. } => events.push(
                        "warning",
                        payload::warning(
                            "PLAYBACK_UNDERRUN",
                            &format!(
                                "playback ran out of audio{}: the audio arrives slower than real time; it resumes after the pre-roll",
                                sequence_id.map(|s| format!(" in segment {s}")).unwrap_or_default()
                            ),
                        ),
                    ),
                    PlayoutEvent::Overflow { dropped_samples } => events.push(
                        "warning",
                        payload::warning(
                            "PLAYBACK_OVERFLOW",
                            &format!("the playback buffer dropped {dropped_samples} samples"),
                        ),
                    ),
                }
            }
        }
        settle_clears(inner, &mut events, closed.is_some());
        if let Some(info) = closed {
            inner.link.closed(&info, &mut events, &mut settle);
            for (resolve, _) in inner.close_waiters.drain(..) {
                settle.push((resolve, JsValue::UNDEFINED));
            }
            if inner.app_closed {
                teardown_audio(inner);
                inner.playout = None;
            } else if let Some(p) = inner.playout.as_mut() {
                // The server ended the connection (e.g. its idle timeout): what arrived plays out, and the next
                // speak() opens a new connection into the same playback.
                p.connection_lost();
            }
        }
        if let Some(session) = inner.session.as_ref() {
            inner.link.finish_pump(session, now);
        }
    }
    for (f, v) in settle {
        let _ = f.call1(&JsValue::UNDEFINED, &v);
    }
    dispatch(&shared.events);
}
