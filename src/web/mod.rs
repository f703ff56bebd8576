//! The web-sys shell: the only module that touches browser APIs (WebSocket, AudioContext, AudioWorklet,
//! getUserMedia, `performance.now()`, `JSON.parse` of server frames, JS option bags).
//!
//! It moves bytes and events between the browser and the pure layers (`protocol`, `audio`) and holds no protocol
//! logic. Every browser resource is an RAII value: dropping it removes its listeners, stops its tracks and
//! disconnects its nodes, so nothing leaks and no `Closure::forget` is needed. Resources released from inside a
//! browser callback go through [`defer_drop`], so a closure is never freed while it is running.

pub mod audio_context;
pub mod bag;
pub mod capture;
pub mod clock;
pub mod frame;
pub mod listener;
pub mod playback;
pub mod socket;
pub mod value;
pub mod worklet;

use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// Sets `key` on `target` (a plain object: cannot fail). One shared body, not inlined: the key's conversion, the
/// call and the drops of both values are not repeated at every field of every payload and message.
#[inline(never)]
pub fn set_field(target: &JsValue, key: &str, value: JsValue) {
    let _ = Reflect::set(target, &JsValue::from_str(key), &value);
}

/// `target[key]`, or `undefined` when reading it throws. Shared for the same reason as [`set_field`].
#[inline(never)]
pub fn get_field(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Drops `value` in a microtask, after the current browser callback has returned.
///
/// Dropping a `Closure` while the browser is running it is an error, and a socket or node may be released from
/// inside its own event handler (an app calling `close()` in `on('transcript')`), so teardown is deferred.
pub fn defer_drop<T: 'static>(value: T) {
    wasm_bindgen_futures::spawn_local(async move {
        drop(value);
    });
}
