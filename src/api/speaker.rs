//! `Speaker`: text → live text-to-speech over `/v1/speak` → the playback AudioWorklet, with instant `clear()`.
//!
//! The class moves bytes and events: its options are read by `config`, its stream (reconnects, tickets and
//! generations, the clear ledger) is `stream::SpeakStream` over `audio::Playout`, the worklet is
//! `web::playback`. What is left here is the wiring and the JS payloads.

use std::cell::{Cell, RefCell};
use std::fmt::Display;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{AudioContext, AudioNode};

use super::arguments::{argument_error, number, speak_text, string};
use super::connection::{self, HasStream, Link, Settle};
use super::errors::{error_payload, freed_error, js_error, options_error, rejected, state_error};
use super::events::{dispatch, subscribe, unsubscribe, EventHub};
use super::payload::{self, or_null, set};
use crate::audio::{Playout, PlayoutConfig, SampleFormat, WorkletReport};
use crate::config::SpeakerConfig;
use crate::events::{ErrorKind, Event, SPEAKER_EVENTS};
use crate::protocol::{SessionIo, SessionState, SpeakEncoding};
use crate::stream::{
    PlaybackWatchdog, SpeakStream, SpeakStreamEvent, Watch, PLAYBACK_RESUMED, PLAYBACK_STALLED,
    PLAYBACK_STALL_MS,
};
use crate::web::bag::{JsBag, JsObject};
use crate::web::clock::now;
use crate::web::playback::{PlaybackNode, PlaybackParams};
use crate::web::socket::SocketEvent;
use crate::web::{audio_context, defer_drop};

const CLASS: &str = "Speaker";
/// Blocks posted to the worklet.
const BLOCK_MS: u32 = 20;

/// Live text-to-speech: `new Speaker({baseUrl, auth, options})`, `speak(text)`, `flush()`, `clear()`.
#[wasm_bindgen]
pub struct Speaker {
    pub(crate) shared: Rc<SpeakerShared>,
}

pub(crate) struct SpeakerShared {
    inner: RefCell<Inner>,
    pub(crate) events: RefCell<EventHub>,
    /// `free()` was called: every method but the getters throws a `state` error.
    freed: Cell<bool>,
}

struct Inner {
    config: SpeakerConfig<JsObject>,
    destination: Option<AudioNode>,
    stream: Option<SpeakStream<JsValue>>,
    link: Link,
    context: Option<AudioContext>,
    own_context: bool,
    node: Option<PlaybackNode>,
    starting: bool,
    close_waiters: Vec<(Function, Function)>,
    /// The context rate playback runs at (0 before the first start).
    sample_rate: u32,
    /// Notices a context that stopped with audio to play (`PLAYBACK_STALLED` / `PLAYBACK_RESUMED`).
    watchdog: PlaybackWatchdog,
    /// Checks the watchdog while the playback node exists.
    watch_timer: Option<Interval>,
}

#[wasm_bindgen]
impl Speaker {
    /// Validates the options synchronously; throws an `Error` (with `kind: "options"`) naming the bad field.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Speaker, JsValue> {
        let bag = JsBag::copy(&options, "Speaker options").map_err(|m| options_error(&m))?;
        let mut config = SpeakerConfig::read(&bag).map_err(|m| options_error(&m))?;
        let context = config
            .audio_context
            .take()
            .map(|c| c.cast::<AudioContext>("Speaker options.audioContext", "AudioContext"))
            .transpose()
            .map_err(|m| options_error(&m))?;
        Speaker::from_config(config, context).map_err(|m| options_error(&m))
    }

    /// Subscribes `handler` to `event`; returns `this` for chaining.
    pub fn on(&self, event: JsValue, handler: JsValue) -> Result<Speaker, JsValue> {
        self.alive("on(event, handler)")?;
        subscribe(&self.shared.events, &event, &handler)?;
        Ok(Speaker {
            shared: self.shared.clone(),
        })
    }

    /// Unsubscribes `handler` (or every handler of `event` when omitted).
    pub fn off(&self, event: JsValue, handler: JsValue) -> Result<(), JsValue> {
        self.alive("off(event, handler)")?;
        unsubscribe(&self.shared.events, &event, &handler)
    }

    /// Opens the connection and the audio output; resolves once the server accepted the connection and the
    /// playback worklet runs. Optional: `speak()` starts it on first use. Call it from a click or key handler
    /// when the page has not had a user gesture yet (browsers keep audio suspended until then).
    pub fn start(&self) -> Promise {
        if let Err(e) = self.alive("start()") {
            return rejected(e);
        }
        let shared = self.shared.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            begin(&shared)?;
            let opened = shared.inner.borrow_mut().link.wait_open();
            start_audio(&shared).await?;
            wasm_bindgen_futures::JsFuture::from(opened).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Queues text to synthesize (split at sentence ends past 2,000 characters, order kept). Starts the
    /// connection if needed. A surrogate pair split between two calls (a chunk cut inside an emoji) is joined.
    pub fn speak(&self, text: JsValue) -> Result<(), JsValue> {
        self.alive("speak(text)")?;
        let text = speak_text(CLASS, &text)?;
        self.ensure_started()?;
        with_stream(&self.shared, Some(text)).map(|_| ())
    }

    /// Asks the server to synthesize everything queued; returns the `sequence_id` its `flushed` (and the
    /// segment's `playbackEnd`) will carry.
    pub fn flush(&self) -> Result<u32, JsValue> {
        self.alive("flush()")?;
        self.ensure_started()?;
        with_stream(&self.shared, None)
    }

    /// Barge-in: silences playback within one render quantum plus a fade of at most 10 ms, discards audio still
    /// in flight, and tells the server to drop its buffers. Returns the `sequence_id` of the `cleared` event.
    pub fn clear(&self) -> Result<u32, JsValue> {
        self.alive("clear()")?;
        clear_shared(&self.shared)
    }

    /// Ends the connection (sends Close) and stops playback; resolves once the server closed and the audio is
    /// torn down. To let speech finish first, await `playbackEnd` for your last flush.
    pub fn close(&self) -> Promise {
        if let Err(e) = self.alive("close()") {
            return rejected(e);
        }
        close_shared(&self.shared)
    }

    /// Releases the Speaker at once: closes it as `close()` does (without waiting), drops its listeners; every
    /// later call but the getters throws a `state` error. Also `[Symbol.dispose]`. (Replaces wasm-bindgen's own
    /// `free()`, after which any call would fail with a bare "null pointer passed to rust".)
    #[wasm_bindgen(js_name = free)]
    pub fn release(&self) {
        free_shared(&self.shared);
    }

    /// Output gain (1 = as received). Setting it applies at once.
    #[wasm_bindgen(getter)]
    pub fn volume(&self) -> f32 {
        self.shared.inner.borrow().config.volume
    }

    /// Sets the output gain (0 to 10).
    #[wasm_bindgen(setter)]
    pub fn set_volume(&self, volume: JsValue) -> Result<(), JsValue> {
        const EXPECTED: &str = "a number from 0 to 10";
        self.alive("volume")?;
        let v = number(CLASS, "volume", EXPECTED, &volume)?;
        if !(0.0..=10.0).contains(&v) {
            return Err(argument_error(CLASS, "volume", EXPECTED, &volume));
        }
        let v = v as f32;
        let mut inner = self.shared.inner.borrow_mut();
        inner.config.volume = v;
        if let Some(n) = inner.node.as_ref() {
            n.set_volume(v);
        }
        Ok(())
    }

    /// Plays through the output device `sinkId` (from `navigator.mediaDevices.enumerateDevices()`; `""` for the
    /// default), where the browser supports `AudioContext.setSinkId` (Chrome, Edge). Note that routing Web Audio
    /// to another device can bypass the microphone's echo cancellation.
    #[wasm_bindgen(js_name = setSinkId)]
    pub fn set_sink_id(&self, sink_id: JsValue) -> Promise {
        let checked = self.alive("setSinkId(sinkId)").and_then(|()| {
            string(
                CLASS,
                "setSinkId(sinkId)",
                "a device id (a string; \"\" for the default device)",
                &sink_id,
            )
        });
        let sink = match checked {
            Ok(s) => JsValue::from(s),
            Err(e) => return rejected(e),
        };
        let ctx = self.shared.inner.borrow().context.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let ctx = ctx.ok_or_else(|| {
                js_error(
                    ErrorKind::State,
                    "Speaker.setSinkId(): no audio output yet: call start() first",
                )
            })?;
            let f = Reflect::get(&ctx, &"setSinkId".into()).unwrap_or(JsValue::UNDEFINED);
            let f: Function = f.dyn_into().map_err(|_| {
                js_error(
                    ErrorKind::Audio,
                    "Speaker.setSinkId(): this browser cannot choose the output device (AudioContext.setSinkId \
                     is missing)",
                )
            })?;
            let refused = |e: JsValue| {
                js_error(
                    ErrorKind::Audio,
                    &audio_context::failed(
                        "Speaker.setSinkId(): the browser refused the device",
                        &e,
                    ),
                )
            };
            let p: Promise = f.call1(&ctx, &sink).map_err(refused)?.unchecked_into();
            wasm_bindgen_futures::JsFuture::from(p)
                .await
                .map_err(refused)
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
        let inner = self.shared.inner.borrow();
        connection::state_name(inner.stream.as_ref().map(SessionIo::state)).into()
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
        if let Some(s) = inner.stream.as_ref() {
            let st = s.session_stats();
            set(&o, "speakMessages", st.speak_messages_sent as f64);
            set(&o, "flushes", st.flushes_sent as f64);
            set(&o, "clears", st.clears_sent as f64);
            set(&o, "receivedFrames", st.audio_frames_received as f64);
            set(&o, "receivedBytes", st.audio_bytes_received as f64);
            set(&o, "discardedBytes", st.audio_bytes_discarded as f64);
            set(&o, "localFlushWarnings", st.local_flush_warnings as f64);
            set(&o, "localTextWarnings", st.local_text_warnings as f64);
            if let Some(p) = s.playout() {
                let st = p.stats();
                set(&o, "postedSamples", st.samples_posted as f64);
                set(&o, "playedSamples", st.samples_played as f64);
                set(&o, "bufferedSamples", st.samples_buffered as f64);
                set(&o, "backlogBytes", st.backlog_bytes as f64);
                set(&o, "underruns", st.underruns as f64);
                set(&o, "overflowSamples", st.overflow_samples as f64);
            }
            if let Some(v) = s.last_clear_latency_ms() {
                set(&o, "lastClearMs", v);
            }
            if let Some(v) = s.last_first_audio_ms() {
                set(&o, "lastFirstAudioMs", v);
            }
        }
        set(&o, "sampleRate", inner.sample_rate);
        o.into()
    }
}

impl Speaker {
    /// A Speaker running `config`, playing in `context` when given (a `VoiceSession`'s, or the app's).
    pub(crate) fn from_config(
        mut config: SpeakerConfig<JsObject>,
        context: Option<AudioContext>,
    ) -> Result<Speaker, String> {
        // Must belong to the same AudioContext (connecting says so otherwise).
        let destination = config
            .destination
            .take()
            .map(|d| d.cast::<AudioNode>("Speaker options.destination", "AudioNode"))
            .transpose()?;
        let inner = Inner {
            config,
            destination,
            stream: None,
            link: Link::default(),
            context,
            own_context: false,
            node: None,
            starting: false,
            close_waiters: Vec::new(),
            sample_rate: 0,
            watchdog: PlaybackWatchdog::new(PLAYBACK_STALL_MS),
            watch_timer: None,
        };
        Ok(Speaker {
            shared: Rc::new(SpeakerShared {
                inner: RefCell::new(inner),
                events: RefCell::new(EventHub::new(CLASS, SPEAKER_EVENTS)),
                freed: Cell::new(false),
            }),
        })
    }

    /// `Ok` unless `free()` was called; `call` names the method in the error.
    fn alive(&self, call: &'static str) -> Result<(), JsValue> {
        match self.shared.freed.get() {
            false => Ok(()),
            true => Err(freed_error(CLASS, call)),
        }
    }

    /// Plays in `ctx` (a `VoiceSession`'s); only before the Speaker started.
    pub(crate) fn set_context(&self, ctx: AudioContext) {
        let mut inner = self.shared.inner.borrow_mut();
        if inner.stream.is_none() {
            inner.context = Some(ctx);
            inner.own_context = false;
        }
    }

    /// Starts the connection and the audio (in the background) unless already started.
    fn ensure_started(&self) -> Result<(), JsValue> {
        let needed = {
            let inner = self.shared.inner.borrow();
            // The server (or the network) ended the last connection, not the app: open a new one; playback
            // carries on in the same worklet.
            inner
                .stream
                .as_ref()
                .is_none_or(SpeakStream::needs_connection)
        };
        if !needed {
            return Ok(());
        }
        begin(&self.shared)?;
        let shared = self.shared.clone();
        wasm_bindgen_futures::spawn_local(async move {
            // A failure is reported as an `error` event (and closes the stream) by start_audio itself.
            let _ = start_audio(&shared).await;
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
        .and_then(|i| i.stream.as_ref().map(SpeakStream::is_playing))
        .unwrap_or(false)
}

/// A chunk of `speak()` text with its first and last UTF-16 code units.
type TextChunk = (String, Option<u16>, Option<u16>);

/// `speak(text)` (`Some`) or `flush()` (`None`, giving its sequence id) on the stream, then a pump: one copy for
/// both.
fn with_stream(shared: &Rc<SpeakerShared>, speak: Option<TextChunk>) -> Result<u32, JsValue> {
    let result = {
        let mut inner = busy_guard(
            shared,
            if speak.is_some() {
                "speak(text)"
            } else {
                "flush()"
            },
        )?;
        match inner.stream.as_mut() {
            Some(s) => match speak {
                Some((text, first, last)) => s.speak_chunk(text, first, last, now()).map(|()| 0),
                None => s.flush(now()),
            }
            .map_err(Some),
            None => Err(None),
        }
    };
    pump(shared);
    result.map_err(|e| state_error(CLASS, e.as_ref().map(|e| e as &dyn Display)))
}

/// The Speaker's state for a call from the page: never a panic (which would end the module) if it is somehow
/// already in use further up the stack; a typed `state` error instead.
fn busy_guard<'a>(
    shared: &'a SpeakerShared,
    call: &str,
) -> Result<std::cell::RefMut<'a, Inner>, JsValue> {
    shared.inner.try_borrow_mut().map_err(|_| {
        js_error(
            ErrorKind::State,
            &[CLASS, ".", call, ": the Speaker is busy in a call further up the stack: call it again from a later task (queueMicrotask or setTimeout)"].concat(),
        )
    })
}

pub(crate) fn clear_shared(shared: &Rc<SpeakerShared>) -> Result<u32, JsValue> {
    let id = {
        let mut inner = busy_guard(shared, "clear()")?;
        match inner.stream.as_mut() {
            Some(s) => s.clear(now()).map_err(|e| state_error(CLASS, Some(&e)))?,
            None => {
                return Err(js_error(
                    ErrorKind::State,
                    "clear(): not started: call start() or speak() first",
                ))
            }
        }
    };
    pump(shared);
    Ok(id)
}

/// `free()`: closes (not waiting for the server), drops the listeners, and refuses every later call.
pub(crate) fn free_shared(shared: &Rc<SpeakerShared>) {
    if shared.freed.replace(true) {
        return;
    }
    shared.events.borrow_mut().clear();
    drop(close_shared(shared));
}

pub(crate) fn close_shared(shared: &Rc<SpeakerShared>) -> Promise {
    let mut waiter = None;
    let promise = Promise::new(&mut |resolve, reject| waiter = Some((resolve, reject)));
    {
        let mut inner = shared.inner.borrow_mut();
        match inner.stream.as_mut() {
            Some(s) if s.state() != SessionState::Closed => {
                s.close(now());
                if let Some(w) = waiter.take() {
                    inner.close_waiters.push(w);
                }
            }
            Some(s) => {
                s.close(now());
                teardown_audio(&mut inner);
            }
            None => teardown_audio(&mut inner),
        }
    }
    pump(shared);
    if let Some((resolve, _)) = waiter {
        let _ = resolve.call0(&JsValue::UNDEFINED);
    }
    promise
}

/// Creates the stream and its socket, or a new connection for a stream the server closed (with playback, the
/// AudioContext too, so the rate is known).
fn begin(shared: &Rc<SpeakerShared>) -> Result<(), JsValue> {
    let weak = Rc::downgrade(shared);
    let mut guard = shared.inner.borrow_mut();
    let inner = &mut *guard;
    match inner.stream.as_mut() {
        Some(s) if s.needs_connection() => s.reconnect(),
        Some(_) => {
            return Err(js_error(
                ErrorKind::State,
                "start(): already started: create a new Speaker for a new connection",
            ))
        }
        None => {
            let playout = if inner.config.playback {
                Some(new_playout(inner)?)
            } else {
                None
            };
            inner.stream = Some(SpeakStream::new(inner.config.speak.clone(), playout));
        }
    }
    let url = inner.config.options.to_url(&inner.config.endpoint);
    let protocols = inner.config.auth.subprotocols();
    inner
        .link
        .connect(CLASS, url, protocols, weak, on_socket_event, on_timer)?;
    drop(guard);
    pump(shared);
    Ok(())
}

/// The playout at the context's rate (creating the context when the app gave none).
fn new_playout(inner: &mut Inner) -> Result<Playout, JsValue> {
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
        SpeakEncoding::Linear16 => SampleFormat::Linear16,
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
    .map_err(|e| options_error(&format!("{CLASS} options: {e}")))?;
    inner.sample_rate = rate;
    Ok(playout)
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
            inner.destination.clone(),
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
                    .stream
                    .as_ref()
                    .is_none_or(|s| s.app_closed() && s.state() == SessionState::Closed)
                {
                    defer_drop(node);
                } else {
                    inner.node = Some(node);
                    let weak = Rc::downgrade(shared);
                    inner.watch_timer = Some(Interval::new(250, move || {
                        if let Some(shared) = weak.upgrade() {
                            on_watch(&shared);
                        }
                    }));
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
            .push(Event::Error, error_payload(ErrorKind::Audio, &m));
        {
            let mut inner = shared.inner.borrow_mut();
            if let Some(s) = inner.stream.as_mut() {
                s.close(now());
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

impl HasStream for Inner {
    type Stream = SpeakStream<JsValue>;
    fn parts(&mut self) -> (Option<&mut SpeakStream<JsValue>>, &mut Link) {
        (self.stream.as_mut(), &mut self.link)
    }
}

fn on_worklet(shared: &Rc<SpeakerShared>, report: WorkletReport) {
    if let Ok(mut inner) = shared.inner.try_borrow_mut() {
        if let Some(s) = inner.stream.as_mut() {
            s.on_report(report, now());
        }
    }
    pump(shared);
}

/// The watchdog's timer: audio that cannot play because the context stopped is a `PLAYBACK_STALLED` warning and
/// a `resume()`; `PLAYBACK_RESUMED` once it runs again.
fn on_watch(shared: &Rc<SpeakerShared>) {
    let warning = {
        let Ok(mut guard) = shared.inner.try_borrow_mut() else {
            return;
        };
        let inner = &mut *guard;
        let Some(ctx) = inner.context.as_ref() else {
            return;
        };
        let state = audio_context::state_name(ctx);
        let waiting = inner.stream.as_ref().is_some_and(SpeakStream::is_playing);
        match inner.watchdog.check(now(), &state, waiting) {
            Some(Watch::Stalled { silent_ms, cause }) => {
                let resume = state != "closed";
                if resume {
                    let _ = ctx.resume();
                }
                let m =
                    format!(
                    "audio is waiting to play but nothing has played for {silent_ms:.0} ms: {}{}",
                    cause.describe(),
                    if resume { "; trying AudioContext.resume()" } else { "" }
                );
                (PLAYBACK_STALLED, m)
            }
            Some(Watch::Resumed { gap_ms }) => (
                PLAYBACK_RESUMED,
                format!("the AudioContext runs again after {gap_ms:.0} ms; playback goes on"),
            ),
            None => return,
        }
    };
    shared.events.borrow_mut().push(
        Event::Warning,
        payload::warning(warning.0, &warning.1, None),
    );
    dispatch(&shared.events);
}

fn teardown_audio(inner: &mut Inner) {
    if let Some(n) = inner.node.take() {
        defer_drop(n);
    }
    if let Some(t) = inner.watch_timer.take() {
        defer_drop(t);
    }
    if let Some(ctx) = inner.context.take() {
        if inner.own_context {
            let _ = ctx.close();
        }
    }
}

/// Moves the stream's output to the socket and its commands to the worklet, turns its events into JS events,
/// re-arms the timer; then (with no borrow held) settles promises and dispatches.
fn pump(shared: &Rc<SpeakerShared>) {
    let mut settle: Settle = Vec::new();
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
        let rate = f64::from(inner.sample_rate.max(1));
        if let Some(stream) = inner.stream.as_mut() {
            stream.set_audio_events(events.has(Event::Audio));
            inner.link.transmit(stream, &mut events, now);
            if let Some(node) = inner.node.as_ref() {
                while let Some(c) = stream.poll_command() {
                    let _ = node.post(c);
                }
            }
            while let Some(ev) = stream.poll_event() {
                match ev {
                    SpeakStreamEvent::Open => inner.link.opened(&mut events, &mut settle),
                    SpeakStreamEvent::Metadata { raw, .. } => events.push(Event::Metadata, raw),
                    SpeakStreamEvent::Audio { bytes, generation } => {
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
                        events.push(Event::Audio, o.into());
                    }
                    SpeakStreamEvent::Flushed { raw } => events.push(Event::Flushed, raw),
                    SpeakStreamEvent::Cleared(report) => {
                        events.push(Event::Cleared, payload::cleared(report, inner.sample_rate))
                    }
                    SpeakStreamEvent::Warning { code, message, raw } => {
                        events.push(Event::Warning, payload::warning(&code, &message, raw))
                    }
                    SpeakStreamEvent::ServerError { error, raw } => {
                        events.push(Event::Error, payload::server_error(&error, raw))
                    }
                    SpeakStreamEvent::Unhandled { raw } => events.push(Event::Unhandled, raw),
                    SpeakStreamEvent::ProtocolError(e) => events.push(
                        Event::Error,
                        error_payload(ErrorKind::Protocol, &e.to_string()),
                    ),
                    SpeakStreamEvent::PlaybackStart {
                        sequence_id,
                        latency_ms,
                        frame,
                    } => {
                        let o = Object::new();
                        set(&o, "sequenceId", or_null(sequence_id));
                        set(&o, "latencyMs", or_null(latency_ms));
                        set(&o, "contextTime", frame / rate);
                        events.push(Event::PlaybackStart, o.into());
                    }
                    SpeakStreamEvent::PlaybackEnd {
                        sequence_id,
                        played_samples,
                        frame,
                    } => {
                        let o = Object::new();
                        set(&o, "sequenceId", or_null(sequence_id));
                        set(&o, "playedSamples", played_samples as f64);
                        set(&o, "durationMs", played_samples as f64 * 1000.0 / rate);
                        set(&o, "sampleRate", inner.sample_rate);
                        set(&o, "contextTime", frame / rate);
                        events.push(Event::PlaybackEnd, o.into());
                    }
                    SpeakStreamEvent::Reconnecting { attempt } => {
                        let o = Object::new();
                        set(&o, "attempt", attempt);
                        events.push(Event::Reconnecting, o.into());
                    }
                    SpeakStreamEvent::Reconnected { attempt } => {
                        let o = Object::new();
                        set(&o, "attempt", attempt);
                        events.push(Event::Reconnected, o.into());
                    }
                    SpeakStreamEvent::Close(info) => {
                        closed = true;
                        inner.link.closed(&info, &mut events, &mut settle);
                        for (resolve, _) in inner.close_waiters.drain(..) {
                            settle.push((resolve, JsValue::UNDEFINED));
                        }
                    }
                }
            }
            if !closed {
                inner.link.arm(stream.next_timeout(), now);
            }
        }
        if closed && inner.stream.as_ref().is_some_and(SpeakStream::app_closed) {
            teardown_audio(inner);
        }
    }
    connection::settle(settle);
    dispatch(&shared.events);
}
