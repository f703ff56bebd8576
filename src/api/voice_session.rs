//! `VoiceSession`: a Transcriber and a Speaker on one AudioContext, with barge-in (the user speaking clears
//! playback), for voice agents.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AudioContext;

use super::arguments::{boolean, speak_text};
use super::errors::{freed_error, js_error, options_error, rejected};
use super::events::{dispatch, subscribe, unsubscribe, EventHub, Forward};
use super::payload::set;
use super::speaker::{self, Speaker};
use super::transcriber::Transcriber;
use crate::config::{Bag, VoiceSessionConfig};
use crate::events::{ErrorKind, Event, VOICE_SESSION_EVENTS};
use crate::web::audio_context;
use crate::web::bag::JsBag;

const CLASS: &str = "VoiceSession";

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
    /// `free()` was called: every method but the getters throws a `state` error.
    freed: Cell<bool>,
}

#[wasm_bindgen]
impl VoiceSession {
    /// Validates the options synchronously; throws an `Error` (with `kind: "options"`) naming the bad field.
    /// `listen` and `speak` are Deepgram's query options for each direction; the other keys are those of
    /// `Transcriber` and `Speaker` (`keepAliveMs`, `frameMs`, `microphone`, `volume`, `preRollMs`, ...), plus
    /// `bargeIn` (default true) and `audioContext` (use the app's context instead of creating one).
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<VoiceSession, JsValue> {
        let bag = JsBag::copy(&options, "VoiceSession options").map_err(|m| options_error(&m))?;
        let mut config = VoiceSessionConfig::read(&bag).map_err(|m| options_error(&m))?;
        let context = config
            .speaker
            .audio_context
            .take()
            .map(|c| c.cast::<AudioContext>("VoiceSession options.audioContext", "AudioContext"))
            .transpose()
            .map_err(|m| options_error(&m))?;
        let transcriber = Transcriber::from_config(config.transcriber);
        let speaker =
            Speaker::from_config(config.speaker, context.clone()).map_err(|m| options_error(&m))?;
        let shared = Rc::new(VoiceShared {
            transcriber,
            speaker,
            events: RefCell::new(EventHub::new(CLASS, VOICE_SESSION_EVENTS)),
            barge_in: Cell::new(config.barge_in),
            barge_ins: Cell::new(0),
            context: RefCell::new(context),
            own_context: Cell::new(false),
            freed: Cell::new(false),
        });
        let listen: Forward = {
            let weak = Rc::downgrade(&shared);
            Rc::new(move |event, payload| forward(&weak, event, payload, "listen"))
        };
        let speak: Forward = {
            let weak = Rc::downgrade(&shared);
            Rc::new(move |event, payload| forward(&weak, event, payload, "speak"))
        };
        let barge: Rc<dyn Fn()> = {
            let weak = Rc::downgrade(&shared);
            Rc::new(move || barge_in(&weak))
        };
        shared.transcriber.events().borrow_mut().set_forward(listen);
        shared.transcriber.on_user_speech(barge);
        shared.speaker.shared.events.borrow_mut().set_forward(speak);
        Ok(VoiceSession { shared })
    }

    /// Subscribes `handler(payload, half)` to `event`; returns `this` for chaining.
    pub fn on(&self, event: JsValue, handler: JsValue) -> Result<VoiceSession, JsValue> {
        self.alive("on(event, handler)")?;
        subscribe(&self.shared.events, &event, &handler)?;
        Ok(VoiceSession {
            shared: self.shared.clone(),
        })
    }

    /// Unsubscribes `handler` (or every handler of `event` when omitted).
    pub fn off(&self, event: JsValue, handler: JsValue) -> Result<(), JsValue> {
        self.alive("off(event, handler)")?;
        unsubscribe(&self.shared.events, &event, &handler)
    }

    /// Opens both connections on one AudioContext and starts capture: `start()` uses the microphone (echo
    /// cancellation on by default); `start({microphone: {...}})`, `start({stream})` or `start({node})` as for
    /// `Transcriber.start`. Resolves when both connections are open and audio runs.
    pub fn start(&self, source: JsValue) -> Promise {
        if let Err(e) = self.alive("start(source)") {
            return rejected(e);
        }
        let shared = self.shared.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            let src = source_with_context(&source)?;
            let ctx = match shared.context.borrow().clone() {
                Some(c) => c,
                None => {
                    let c = audio_context::create().map_err(|m| js_error(ErrorKind::Audio, &m))?;
                    shared.own_context.set(true);
                    c
                }
            };
            *shared.context.borrow_mut() = Some(ctx.clone());
            set(&src, "audioContext", ctx.clone());
            shared.speaker.set_context(ctx);
            let both = Promise::all(&Array::of2(
                &shared.speaker.start(),
                &shared.transcriber.start(src.into()),
            ));
            JsFuture::from(both).await?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Queues text for the Speaker.
    pub fn speak(&self, text: JsValue) -> Result<(), JsValue> {
        self.alive("speak(text)")?;
        speak_text(CLASS, &text)?;
        self.shared.speaker.speak(text)
    }

    /// Flushes the Speaker; returns the sequence id of its `flushed` / `playbackEnd`.
    pub fn flush(&self) -> Result<u32, JsValue> {
        self.alive("flush()")?;
        self.shared.speaker.flush()
    }

    /// Clears playback (barge-in by hand); returns the sequence id of the `cleared` event.
    pub fn clear(&self) -> Result<u32, JsValue> {
        self.alive("clear()")?;
        self.shared.speaker.clear()
    }

    /// Asks the listen side to finalize what it has buffered.
    pub fn finalize(&self) -> Result<(), JsValue> {
        self.alive("finalize()")?;
        self.shared.transcriber.finalize()
    }

    /// Sends `Configure` on the listen stream (new keyterms, features); see `Transcriber.configure`.
    pub fn configure(&self, update: JsValue) -> Result<Promise, JsValue> {
        self.alive("configure(update)")?;
        self.shared.transcriber.configure(update)
    }

    /// Ends the listen stream gracefully; resolves with its final `Metadata`. Playback goes on.
    #[wasm_bindgen(js_name = closeStream)]
    pub fn close_stream(&self) -> Promise {
        if let Err(e) = self.alive("closeStream()") {
            return rejected(e);
        }
        self.shared.transcriber.close_stream()
    }

    /// Sends a KeepAlive on the listen stream.
    #[wasm_bindgen(js_name = keepAlive)]
    pub fn keep_alive(&self) -> Result<(), JsValue> {
        self.alive("keepAlive()")?;
        self.shared.transcriber.keep_alive()
    }

    /// Sends audio yourself on the listen stream (when started without a source of its own).
    #[wasm_bindgen(js_name = sendAudio)]
    pub fn send_audio(&self, data: JsValue) -> Result<(), JsValue> {
        self.alive("sendAudio(data)")?;
        self.shared.transcriber.send_audio(data)
    }

    /// Closes both connections, stops the microphone and playback, and closes the AudioContext (unless the app
    /// supplied it). Resolves when everything is released.
    pub fn close(&self) -> Promise {
        if let Err(e) = self.alive("close()") {
            return rejected(e);
        }
        let shared = self.shared.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            // A half the app freed is closed already.
            let _ = shared.transcriber.close();
            let spoken = speaker::close_shared(&shared.speaker.shared);
            let _ = JsFuture::from(spoken).await;
            close_context(&shared).await;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Releases the session at once: both halves are freed (closed without waiting), the AudioContext closed
    /// unless the app supplied it, the listeners dropped; every later call but the getters throws a `state`
    /// error. Also `[Symbol.dispose]`.
    #[wasm_bindgen(js_name = free)]
    pub fn release(&self) {
        if self.shared.freed.replace(true) {
            return;
        }
        self.shared.events.borrow_mut().clear();
        self.shared.transcriber.release();
        speaker::free_shared(&self.shared.speaker.shared);
        let shared = self.shared.clone();
        wasm_bindgen_futures::spawn_local(async move { close_context(&shared).await });
    }

    /// Whether user speech clears playback (default true). Can be changed at any time.
    #[wasm_bindgen(getter, js_name = bargeIn)]
    pub fn barge_in(&self) -> bool {
        self.shared.barge_in.get()
    }

    /// Turns barge-in on or off.
    #[wasm_bindgen(setter, js_name = bargeIn)]
    pub fn set_barge_in(&self, on: JsValue) -> Result<(), JsValue> {
        self.alive("bargeIn")?;
        self.shared.barge_in.set(boolean(CLASS, "bargeIn", &on)?);
        Ok(())
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

impl VoiceSession {
    /// `Ok` unless `free()` was called; `call` names the method in the error.
    fn alive(&self, call: &'static str) -> Result<(), JsValue> {
        match self.shared.freed.get() {
            false => Ok(()),
            true => Err(freed_error(CLASS, call)),
        }
    }
}

/// Closes the session's AudioContext, when the session created it.
async fn close_context(shared: &VoiceShared) {
    let ctx = shared.context.borrow_mut().take();
    if let Some(ctx) = ctx {
        if shared.own_context.get() {
            if let Ok(p) = ctx.close() {
                let _ = JsFuture::from(p).await;
            }
        }
    }
}

/// `start(source)`'s argument for the Transcriber half (a plain copy): the microphone by default; the session's
/// context is added by the caller.
fn source_with_context(source: &JsValue) -> Result<Object, JsValue> {
    const PATH: &str = "start(source)";
    let bag = JsBag::copy(source, PATH).map_err(|m| options_error(&m))?;
    let src = Object::new();
    match bag.keys().map_err(|e| options_error(&e.message_at(PATH)))? {
        None => set(&src, "microphone", true),
        Some(keys) => {
            for k in keys {
                if k == "audioContext" {
                    return Err(options_error(
                        "start(source).audioContext: a VoiceSession plays and captures in one context: give it \
                         as the audioContext option of the VoiceSession",
                    ));
                }
                set(&src, &k, crate::web::get_field(bag.value(), &k));
            }
        }
    }
    Ok(src)
}

/// Delivers an event of one half to the session's listeners.
fn forward(weak: &Weak<VoiceShared>, event: Event, payload: &JsValue, half: &'static str) {
    let Some(shared) = weak.upgrade() else {
        return;
    };
    if let Ok(mut hub) = shared.events.try_borrow_mut() {
        hub.push_from(event, payload.clone(), half);
    }
    dispatch(&shared.events);
}

/// The user spoke: clear playback, when barge-in is on and something is playing.
fn barge_in(weak: &Weak<VoiceShared>) {
    let Some(shared) = weak.upgrade() else {
        return;
    };
    if shared.barge_in.get()
        && speaker::is_playing(&shared.speaker.shared)
        && speaker::clear_shared(&shared.speaker.shared).is_ok()
    {
        shared.barge_ins.set(shared.barge_ins.get() + 1);
    }
}
