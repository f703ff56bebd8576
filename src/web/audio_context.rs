//! The session's one AudioContext: created at the device's native rate (forcing a rate breaks Firefox when a
//! MediaStream source is connected) and resumed, with a clear error when the browser wants a user gesture first.

use js_sys::Promise;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioContext, AudioContextState};

/// How long `resume()` may take before we say a user gesture is needed (an autoplay-blocked context never settles
/// its promise).
const RESUME_TIMEOUT_MS: u32 = 1500;

/// Creates an AudioContext at the native rate with the interactive latency hint; the error says what failed.
pub fn create() -> Result<AudioContext, String> {
    AudioContext::new().map_err(|e| failed("could not create an AudioContext", &e))
}

/// Resumes `ctx`; fails with a message naming the fix when the browser keeps it suspended.
pub async fn resume(ctx: &AudioContext) -> Result<(), String> {
    if ctx.state() == AudioContextState::Running {
        return Ok(());
    }
    let resumed = ctx
        .resume()
        .map_err(|e| failed("AudioContext.resume() failed", &e))?;
    let timeout = wasm_bindgen_futures::future_to_promise(async {
        gloo_timers::future::TimeoutFuture::new(RESUME_TIMEOUT_MS).await;
        Ok(JsValue::UNDEFINED)
    });
    let race = Promise::race(&js_sys::Array::of2(&resumed, &timeout));
    JsFuture::from(race)
        .await
        .map_err(|e| failed("AudioContext.resume() failed", &e))?;
    if ctx.state() == AudioContextState::Running {
        Ok(())
    } else {
        Err("the AudioContext is suspended: the browser needs a user gesture first; call start() from a click or key handler".into())
    }
}

/// `"{what}: {describe(e)}"`. Cold and built without `format!`: the formatting machinery at each of the many
/// error sites that use it cost more wasm than the messages themselves.
#[cold]
#[inline(never)]
pub fn failed(what: &str, e: &JsValue) -> String {
    [what, ": ", &describe(e)].concat()
}

/// A readable message from a thrown JS value (an `Error`'s message, or its string form).
pub fn describe(e: &JsValue) -> String {
    if let Some(s) = super::get_field(e, "message").as_string() {
        if !s.is_empty() {
            return s;
        }
    }
    e.as_string().unwrap_or_else(|| format!("{e:?}"))
}

/// The context's `state` as the browser spells it (`"running"`, `"suspended"`, `"closed"`, and Safari's
/// `"interrupted"`, which web-sys's enum does not know).
pub fn state_name(ctx: &AudioContext) -> String {
    js_sys::Reflect::get(ctx, &JsValue::from_str("state"))
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| "unknown".to_owned())
}
