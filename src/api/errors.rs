//! JavaScript `Error` objects carrying a stable `kind` beside the message, and the `{kind, message}` payloads of
//! `error` events.

use std::fmt::Display;

use wasm_bindgen::JsValue;

use crate::events::ErrorKind;
use crate::web::set_field;

/// A JS `Error` with `message` and `kind`.
pub fn js_error(kind: ErrorKind, message: &str) -> JsValue {
    let e: JsValue = js_sys::Error::new(message).into();
    set_field(&e, "kind", kind.as_str().into());
    e
}

/// An `options` error (a bad option bag).
#[cold]
#[inline(never)]
pub fn options_error(message: &str) -> JsValue {
    js_error(ErrorKind::Options, message)
}

/// A `state` error with the message of `error` (a session refusing a call, or `None`: no session yet, the
/// message then says to call `start()` on `class`). Cold and shared through `dyn Display`: the message is built
/// once here, not at every method of every class.
#[cold]
#[inline(never)]
pub fn state_error(class: &str, error: Option<&dyn Display>) -> JsValue {
    let message = match error {
        Some(e) => e.to_string(),
        None => [class, ": not started: call start() first"].concat(),
    };
    js_error(ErrorKind::State, &message)
}

/// A plain `{kind, message}` object for `error` events.
pub fn error_payload(kind: ErrorKind, message: &str) -> JsValue {
    let o: JsValue = js_sys::Object::new().into();
    set_field(&o, "kind", kind.as_str().into());
    set_field(&o, "message", message.into());
    o
}

/// The `state` error of a call after `free()`.
#[cold]
#[inline(never)]
pub fn freed_error(class: &str, call: &str) -> JsValue {
    js_error(
        ErrorKind::State,
        &[
            class,
            ".",
            call,
            ": this ",
            class,
            " was freed (free() was called): create a new one",
        ]
        .concat(),
    )
}

/// A promise already rejected with `error` (what a promise-returning method gives for a bad call).
pub fn rejected(error: JsValue) -> js_sys::Promise {
    js_sys::Promise::reject(&error)
}
