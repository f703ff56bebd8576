//! Test plumbing: the server's URL and control API, an event recorder, sleeping and waiting.

use std::cell::RefCell;
use std::rc::Rc;

use deepgram_live_wasm::api::Transcriber;
pub use deepgram_live_wasm::events::{
    Event, SPEAKER_EVENTS, TRANSCRIBER_EVENTS, VOICE_SESSION_EVENTS,
};
use js_sys::{Function, Promise, Reflect};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

/// The local server started by scripts/browser-test.sh.
pub fn server_url() -> String {
    match option_env!("DG_TEST_SERVER") {
        Some(url) => url.to_string(),
        None => panic!("DG_TEST_SERVER is set by scripts/browser-test.sh (run `make test`)"),
    }
}

/// The AudioContext rate the capture tests ask for in this run (Chromium's runs pick 48 and 44.1 kHz, as its
/// headless default does not follow the WAV); `None`: the engine's own default rate (Firefox, WebKit).
pub fn mic_rate() -> Option<u32> {
    option_env!("DG_TEST_MIC_RATE")
        .filter(|r| !r.is_empty())
        .map(|r| r.parse().unwrap())
}

pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}

async fn fetch_json(method: &str, path: &str, body: Option<&Value>) -> Value {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        init.set_body(&JsValue::from_str(&b.to_string()));
    }
    let url = format!("{}{}", server_url(), path);
    let resp: web_sys::Response = JsFuture::from(
        web_sys::window()
            .unwrap()
            .fetch_with_str_and_init(&url, &init),
    )
    .await
    .unwrap()
    .dyn_into()
    .unwrap();
    let text = JsFuture::from(resp.text().unwrap()).await.unwrap();
    serde_json::from_str(&text.as_string().unwrap()).unwrap()
}

/// GET a control-API path.
pub async fn control_get(path: &str) -> Value {
    fetch_json("GET", path, None).await
}

/// POST a control-API path.
pub async fn control_post(path: &str, body: Value) -> Value {
    fetch_json("POST", path, Some(&body)).await
}

/// Schedules a fault for the next connection on `path`.
pub async fn fault_next(path: &str, fault: Value) {
    let r = control_post(
        "/_control/faults",
        serde_json::json!({"connection": "next", "path": path, "fault": fault}),
    )
    .await;
    assert_eq!(r["ok"], Value::Bool(true), "fault not accepted: {r}");
}

/// The most recent connection the server saw on `path`.
pub async fn last_connection(path: &str) -> Value {
    let all = control_get("/_control/connections").await;
    all["connections"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|c| c["path"] == path)
        .cloned()
        .unwrap_or(Value::Null)
}

type Handler = Closure<dyn FnMut(JsValue)>;

/// Every event a class emitted, as JSON (via JSON.stringify), in order.
#[derive(Clone, Default)]
pub struct Recorder {
    pub events: Rc<RefCell<Vec<(String, Value)>>>,
    closures: Rc<RefCell<Vec<Handler>>>,
}

impl Recorder {
    /// Subscribes to `events` on a Transcriber.
    pub fn attach(&self, t: &Transcriber, events: &[Event]) {
        for e in events {
            let f = self.handler(e.name());
            t.on(JsValue::from(e.name()), JsValue::from(f)).unwrap();
        }
    }

    /// Subscribes to `events` through `on(name, handler)` (any class).
    pub fn attach_with(&self, events: &[Event], on: impl Fn(&str, Function)) {
        for e in events {
            on(e.name(), self.handler(e.name()));
        }
    }

    pub fn handler(&self, name: &str) -> Function {
        let events = self.events.clone();
        let name = name.to_string();
        let c = Closure::<dyn FnMut(JsValue)>::new(move |v: JsValue| {
            let json = js_sys::JSON::stringify(&v)
                .ok()
                .and_then(|s| s.as_string())
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or(Value::Null);
            events.borrow_mut().push((name.clone(), json));
        });
        let f: Function = c.as_ref().clone().unchecked_into();
        self.closures.borrow_mut().push(c);
        f
    }

    pub fn of(&self, name: &str) -> Vec<Value> {
        self.events
            .borrow()
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }

    pub fn count(&self, name: &str) -> usize {
        self.of(name).len()
    }

    /// Waits until `name` has been emitted `n` times (panics after `timeout_ms`).
    pub async fn wait_for(&self, name: &str, n: usize, timeout_ms: u32) {
        let mut waited = 0;
        while self.count(name) < n {
            if waited >= timeout_ms {
                panic!(
                    "timed out waiting for {n} '{name}' event(s); got: {:?}",
                    self.events.borrow()
                );
            }
            sleep(20).await;
            waited += 20;
        }
    }

    /// The words of every final transcript, in order.
    pub fn final_words(&self) -> Vec<String> {
        self.of("transcript")
            .iter()
            .filter(|r| r["is_final"] == Value::Bool(true))
            .flat_map(|r| {
                r["channel"]["alternatives"][0]["words"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .map(|w| w["word"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// `base` with the keys of `extra` added (test option bags: common keys plus a test's own).
pub fn merged(mut base: Value, extra: Value) -> Value {
    if let (Some(o), Some(extra)) = (base.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            o.insert(k.clone(), v.clone());
        }
    }
    base
}

/// A class's `stats()` as JSON.
pub fn stats_json(stats: JsValue) -> Value {
    serde_json::from_str(
        &js_sys::JSON::stringify(&stats)
            .unwrap()
            .as_string()
            .unwrap(),
    )
    .unwrap()
}

/// A JS object from JSON.
pub fn js(v: Value) -> JsValue {
    js_sys::JSON::parse(&v.to_string()).unwrap()
}

/// Closes a test's AudioContext and waits until it is closed, so that the next test's context does not start
/// beside one still shutting down (WebKit may then never start rendering it).
pub async fn close_context(ctx: &web_sys::AudioContext) {
    if let Ok(p) = ctx.close() {
        let _ = JsFuture::from(p).await;
    }
}

pub async fn await_promise(p: Promise) -> Result<JsValue, JsValue> {
    JsFuture::from(p).await
}

/// The `kind` and `message` of a rejected promise's error.
pub fn error_kind(e: &JsValue) -> (String, String) {
    let kind = Reflect::get(e, &"kind".into())
        .ok()
        .and_then(|k| k.as_string())
        .unwrap_or_default();
    let message = Reflect::get(e, &"message".into())
        .ok()
        .and_then(|k| k.as_string())
        .unwrap_or_default();
    (kind, message)
}

/// PCM16 little-endian bytes of f32 samples.
pub fn pcm16(samples: &[f32]) -> Vec<u8> {
    samples
        .iter()
        .flat_map(|s| ((s.clamp(-1.0, 1.0) * 32767.0).round() as i16).to_le_bytes())
        .collect()
}
