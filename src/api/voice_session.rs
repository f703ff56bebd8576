//! `VoiceSession`: a Transcriber and a Speaker on one AudioContext, with barge-in (the user speaking clears
//! playback), for voice agents.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AudioContext;

use super::errors::{js_error, ErrorKind};
use super::events::{dispatch, subscribe, unsubscribe, EventHub, Forward};
use super::js_options::JsOptions;
use super::payload::set;
use super::speaker::{self, Speaker, SPEAKER_KEYS};
use super::transcriber::{Transcriber, TRANSCRIBER_KEYS};
use crate::web::{audio_context, get_field};

/// The events a `VoiceSession` emits: those of its Transcriber and its Speaker. Handlers get a second argument,
/// `"listen"` or `"speak"`, saying which half an event comes from (`open`, `close`, `error`, `warning`,
/// `metadata` and `unhandled` come from both).
pub const VOICE_EVENTS: &[&str] = &[
    "open",
    "close",
    "error",
    "warning",
    "metadata",
    "unhandled",
    "reconnecting",
    "reconnected",
    "transcript",
    "utteranceEnd",
    "speechStarted",
    "level",
    "audio",
    "flushed",
    "cleared",
    "playbackStart",
    "playbackEnd",
];

const CLASS: &str = "VoiceSession";

/// Keys only the session has.
const SESSION_KEYS: &[&str] = &["listen", "speak", "bargeIn", "audioContext"];

/// Live speech both ways on one AudioContext: `new VoiceSession({baseUrl, auth, listen, speak, bargeIn})`.
#[wasm_bindgen]
pub struct VoiceSession {
    shared: Rc<VoiceShared>,
}

struct VoiceShared {
    transcriber: Transcriber,
    speaker: Speaker,
    events: RefCell<EventHub>,
    barge_in: Cell<bool>,
    barge_ins: Cell<u32>,
    context: RefCell<Option<AudioContext>>,
    own_context: Cell<bool>,
}

fn has_words(result: &JsValue) -> bool {
    let alternatives = get_field(&get_field(result, "channel"), "alternatives");
    let first = Reflect::get_u32(&alternatives, 0).unwrap_or_default();
    get_field(&first, "transcript")
        .as_string()
        .is_some_and(|t| !t.trim().is_empty())
}

#[wasm_bindgen]
impl VoiceSession {
    /// Validates the options synchronously; throws an `Error` (with `kind: "options"`) naming the bad field.
    /// `listen` and `speak` are Deepgram's query options for each direction; the other keys are those of
    /// `Transcriber` and `Speaker` (`keepAliveMs`, `frameMs`, `microphone`, `volume`, `preRollMs`, ...), plus
    /// `bargeIn` (default true) and `audioContext` (use the app's context instead of creating one).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<VoiceSession, JsValue> {
        let mut o = JsOptions::new(&options, CLASS);
        let mut keys: Vec<&str> = Vec::new();
        for k in TRANSCRIBER_KEYS
            .iter()
            .chain(SPEAKER_KEYS)
            .chain(SESSION_KEYS)
        {
            if *k != "options" && !keys.contains(k) {
                keys.push(k);
            }
        }
        o.only(&keys);
        let context = o.object::<AudioContext>("audioContext", "AudioContext");
        let barge_in = o.bool("bargeIn").unwrap_or(true);
        let transcriber = Transcriber::for_session(&mut o, "listen");
        let speaker = Speaker::for_session(&mut o, "speak", context.clone());
        o.finish().map_err(|m| js_error(ErrorKind::Options, &m))?;
        let shared = Rc::new(VoiceShared {
            transcriber,
            speaker,
            events: RefCell::new(EventHub::new(VOICE_EVENTS)),
            barge_in: Cell::new(barge_in),
            barge_ins: Cell::new(0),
            context: RefCell::new(context),
            own_context: Cell::new(false),
        });
        let listen: Forward = {
            let weak = Rc::downgrade(&shared);
            Rc::new(move |name, payload| forward(&weak, name, payload, "listen"))
        };
        let speak: Forward = {
            let weak = Rc::downgrade(&shared);
            Rc::new(move |name, payload| forward(&weak, name, payload, "speak"))
        };
        shared.transcriber.events().borrow_mut().set_forward(listen);
        shared.speaker.shared.events.borrow_mut().set_forward(speak);
        Ok(VoiceSession { shared })
    }

    /// Subscribes `handler(payload, half)` to `event`; returns `this` for chaining.
    pub fn on(&self, event: &str, handler: Function) -> Result<VoiceSession, JsValue> {
        subscribe(&self.shared.events, event, handler)?;
        Ok(VoiceSession {
            shared: self.shared.clone(),
        })
    }

    /// Unsubscribes `handler` (or every handler of `event` when omitted).
    pub fn off(&self, event: &str, handler: Option<Function>) -> Result<(), JsValue> {
        unsubscribe(&self.shared.events, event, handler)
    }

    /// Opens both connections on one AudioContext and starts capture: `start()` uses the microphone (echo
    /// cancellation on by default); `start({microphone: {...}})`, `start({stream})` or `start({node})` as for
    /// `Transcriber.start`. Resolves when both connections are open and audio runs.
    pub fn start(&self, source: JsValue) -> Promise {
        let shared = self.shared.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let ctx = match shared.context.borrow().clone() {
                Some(c) => c,
                None => {
                    let c = audio_context::create().map_err(|m| js_error(ErrorKind::Audio, &m))?;
                    shared.own_context.set(true);
                    c
                }
            };
            *shared.context.borrow_mut() = Some(ctx.clone());
            shared.speaker.set_context(ctx.clone());
            let src = Object::new();
            if source.is_undefined() || source.is_null() {
                set(&src, "microphone", true);
            } else if source.is_object() {
                let mut o = JsOptions::new(&source, "start(source)");
                o.only(&["microphone", "stream", "node"]);
                o.finish().map_err(|m| js_error(ErrorKind::Options, &m))?;
                for k in ["microphone", "stream", "node"] {
                    let v = o.get(k);
                    if !v.is_undefined() {
                        set(&src, k, v);
                    }
                }
            } else {
                return Err(js_error(
                    ErrorKind::Options,
                    "start(source): expected an object like {microphone: true}",
                ));
            }
            set(&src, "audioContext", ctx);
            let both = Promise::all(&Array::of2(
                &shared.speaker.start(),
                &shared.transcriber.start(src.into()),
            ));
            JsFuture::from(both).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Queues text for the Speaker.
    pub fn speak(&self, text: &str) -> Result<(), JsValue> {
        self.shared.speaker.speak(text)
    }

    /// Flushes the Speaker; returns the sequence id of its `flushed` / `playbackEnd`.
    pub fn flush(&self) -> Result<u32, JsValue> {
        self.shared.speaker.flush()
    }

    /// Clears playback (barge-in by hand); returns the sequence id of the `cleared` event.
    pub fn clear(&self) -> Result<u32, JsValue> {
        self.shared.speaker.clear()
    }

    /// Asks the listen side to finalize what it has buffered.
    pub fn finalize(&self) -> Result<(), JsValue> {
        self.shared.transcriber.finalize()
    }

    /// Ends the listen stream gracefully; resolves with its final `Metadata`. Playback goes on.
    #[wasm_bindgen(js_name = closeStream)]
    pub fn close_stream(&self) -> Promise {
        self.shared.transcriber.close_stream()
    }

    /// Sends a KeepAlive on the listen stream.
    #[wasm_bindgen(js_name = keepAlive)]
    pub fn keep_alive(&self) -> Result<(), JsValue> {
        self.shared.transcriber.keep_alive()
    }

    /// Sends audio yourself on the listen stream (when started without a source of its own).
    #[wasm_bindgen(js_name = sendAudio)]
    pub fn send_audio(&self, data: JsValue) -> Result<(), JsValue> {
        self.shared.transcriber.send_audio(data)
    }

    /// Closes both connections, stops the microphone and playback, and closes the AudioContext (unless the app
    /// supplied it). Resolves when everything is released.
    pub fn close(&self) -> Promise {
        let shared = self.shared.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            shared.transcriber.close();
            let spoken = speaker::close_shared(&shared.speaker.shared);
            let _ = JsFuture::from(spoken).await;
            let ctx = shared.context.borrow_mut().take();
            if let Some(ctx) = ctx {
                if shared.own_context.get() {
                    if let Ok(p) = ctx.close() {
                        let _ = JsFuture::from(p).await;
                    }
                }
            }
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Whether user speech clears playback (default true). Can be changed at any time.
    #[wasm_bindgen(getter, js_name = bargeIn)]
    pub fn barge_in(&self) -> bool {
        self.shared.barge_in.get()
    }

    /// Turns barge-in on or off.
    #[wasm_bindgen(setter, js_name = bargeIn)]
    pub fn set_barge_in(&self, on: bool) {
        self.shared.barge_in.set(on);
    }

    /// The session's AudioContext (after `start()`).
    #[wasm_bindgen(getter, js_name = audioContext)]
    pub fn audio_context(&self) -> Option<AudioContext> {
        self.shared.context.borrow().clone()
    }

    /// The Transcriber half (its state and stats).
    #[wasm_bindgen(getter)]
    pub fn transcriber(&self) -> Transcriber {
        self.shared.transcriber.handle()
    }

    /// The Speaker half (its state, stats, volume and output device).
    #[wasm_bindgen(getter)]
    pub fn speaker(&self) -> Speaker {
        Speaker {
            shared: self.shared.speaker.shared.clone(),
        }
    }

    /// `{bargeIns, listen: Transcriber.stats(), speak: Speaker.stats()}`.
    pub fn stats(&self) -> JsValue {
        let o = Object::new();
        set(&o, "bargeIns", self.shared.barge_ins.get());
        set(&o, "listen", self.shared.transcriber.stats());
        set(&o, "speak", self.shared.speaker.stats());
        o.into()
    }
}

/// Delivers an event of one half to the session's listeners, and barges in on user speech during playback.
fn forward(weak: &Weak<VoiceShared>, name: &'static str, payload: &JsValue, half: &'static str) {
    let Some(shared) = weak.upgrade() else {
        return;
    };
    if let Ok(mut hub) = shared.events.try_borrow_mut() {
        if hub.accepts(name) {
            hub.push_from(name, payload.clone(), half);
        }
    }
    let speech = name == "speechStarted" || (name == "transcript" && has_words(payload));
    if half == "listen"
        && speech
        && shared.barge_in.get()
        && speaker::is_playing(&shared.speaker.shared)
        && speaker::clear_shared(&shared.speaker.shared).is_ok()
    {
        shared.barge_ins.set(shared.barge_ins.get() + 1);
    }
    dispatch(&shared.events);
}
