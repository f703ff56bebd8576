//! What a JavaScript argument is, found without running any of the app's code: `typeof`-style checks and
//! `instanceof` (which the glue guards), never a getter, `toString` or `valueOf`.

use js_sys::JsString;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::arguments::Given;

/// `v` in words, for an `argument` error.
pub fn given(v: &JsValue) -> Given {
    if v.is_undefined() {
        Given::Undefined
    } else if v.is_null() {
        Given::Null
    } else if let Some(b) = v.as_bool() {
        Given::Boolean(b)
    } else if let Some(n) = v.as_f64() {
        let text = js_sys::Number::from(n)
            .to_string_with_radix(10)
            .map(String::from)
            .unwrap_or_default();
        Given::Number(text)
    } else if v.is_bigint() {
        Given::BigInt
    } else if v.is_string() {
        Given::String
    } else if v.is_symbol() {
        Given::Symbol
    } else if v.is_function() {
        Given::Function
    } else if v.is_instance_of::<js_sys::Array>() {
        Given::Array
    } else if js_sys::ArrayBuffer::is_view(v) || v.is_instance_of::<js_sys::ArrayBuffer>() {
        Given::Binary
    } else {
        Given::Object
    }
}

/// A string argument as Rust gets it (each lone surrogate as U+FFFD) with its first and last UTF-16 code units
/// (see [`SurrogateJoin`](crate::stream::SurrogateJoin)); `None` when `v` is not a string.
pub fn text_chunk(v: &JsValue) -> Option<(String, Option<u16>, Option<u16>)> {
    let text = v.as_string()?;
    let s: &JsString = v.unchecked_ref();
    let len = s.length();
    let unit = |i: u32| -> Option<u16> {
        let u = s.char_code_at(i);
        u.is_finite().then_some(u as u16)
    };
    let (first, last) = match len {
        0 => (None, None),
        n => (unit(0), unit(n - 1)),
    };
    Some((text, first, last))
}

#[wasm_bindgen(module = "/js/main-thread.js")]
extern "C" {
    #[wasm_bindgen(js_name = audioBytes)]
    fn audio_bytes(v: &JsValue) -> JsValue;
}

/// Why a value has no audio bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoBytes {
    /// Not an ArrayBuffer, typed array or DataView.
    NotBinary,
    /// A buffer that was transferred away (to a worker, by `postMessage` or `structuredClone`).
    Detached,
}

/// A copy of the bytes of an ArrayBuffer, a typed array or a DataView (checked by the buffers' own brand
/// checks, so a look-alike object or a Proxy is not taken for one).
pub fn bytes_of(v: &JsValue) -> Result<Vec<u8>, NoBytes> {
    let r = audio_bytes(v);
    if let Some(b) = r.dyn_ref::<js_sys::Uint8Array>() {
        Ok(b.to_vec())
    } else if r.is_string() {
        Err(NoBytes::Detached)
    } else {
        Err(NoBytes::NotBinary)
    }
}
