//! The classes' method arguments: each exported method takes whatever JavaScript passes (`JsValue`) and reads it
//! here, so a wrong type is an `argument` error naming the call, what was given and what is expected, never a
//! value the glue code trusted blindly (a number where a `&str` was declared makes it write past an allocation).

use js_sys::Function;
use wasm_bindgen::{JsCast, JsValue};

use super::errors::js_error;
use crate::arguments::ArgumentError;
use crate::events::ErrorKind;
use crate::web::value::{given, text_chunk};

/// An `argument` error for `v`: `{class}.{call}: expected {expected}, got {what v is}`.
#[cold]
#[inline(never)]
pub fn argument_error(
    class: &'static str,
    call: &'static str,
    expected: &'static str,
    v: &JsValue,
) -> JsValue {
    let e = ArgumentError {
        class,
        call,
        expected,
        given: given(v),
    };
    js_error(ErrorKind::Argument, &e.to_string())
}

/// A string argument.
pub fn string(
    class: &'static str,
    call: &'static str,
    expected: &'static str,
    v: &JsValue,
) -> Result<String, JsValue> {
    v.as_string()
        .ok_or_else(|| argument_error(class, call, expected, v))
}

/// The text of `speak(text)`, with its first and last UTF-16 code units.
pub fn speak_text(
    class: &'static str,
    v: &JsValue,
) -> Result<(String, Option<u16>, Option<u16>), JsValue> {
    text_chunk(v).ok_or_else(|| {
        argument_error(
            class,
            "speak(text)",
            "a string (the text to speak; for a chunk object, pass its text)",
            v,
        )
    })
}

/// A function argument (an event handler).
pub fn function(class: &'static str, call: &'static str, v: &JsValue) -> Result<Function, JsValue> {
    v.dyn_ref::<Function>()
        .cloned()
        .ok_or_else(|| argument_error(class, call, "a function", v))
}

/// A boolean argument.
pub fn boolean(class: &'static str, call: &'static str, v: &JsValue) -> Result<bool, JsValue> {
    v.as_bool()
        .ok_or_else(|| argument_error(class, call, "a boolean (true or false)", v))
}

/// A number argument (any number: the caller checks its range).
pub fn number(
    class: &'static str,
    call: &'static str,
    expected: &'static str,
    v: &JsValue,
) -> Result<f64, JsValue> {
    v.as_f64()
        .ok_or_else(|| argument_error(class, call, expected, v))
}
